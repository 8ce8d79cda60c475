/**
 * The only things a person types in the console (CONTRACT §9, §12): an owner
 * handle and a reference, each held to its character set so that nothing typed
 * can carry PHI.
 */

export const HANDLE_PATTERN = /^[A-Za-z0-9._@:/+=,-]{1,200}$/;
export const REFERENCE_PATTERN = /^[A-Za-z0-9._:/#?=&-]{0,200}$/;

/** Whether the tracker keeps the name for itself: tracker, local, chat:..., user:... */
export function isReservedHandle(handle: string): boolean {
  return handle === 'tracker' || handle === 'local' || handle.startsWith('chat:') || handle.startsWith('user:');
}

/**
 * What is wrong with a handle, in words, or null when it is fine. Reserved names
 * are refused as your own handle; as an owner filter (a follow-up the tracker
 * owns never exists, but a `user:` owner does in AWS) they may be allowed.
 * `given`: a handle a person gives (their own, a new owner), held to CONTRACT
 * §9's first character too.
 */
export function checkHandle(handle: string, options: { allowReserved?: boolean; given?: boolean } = {}): string | null {
  if (handle.length === 0) return 'Enter a handle';
  if (handle.length > 200) return 'A handle has at most 200 characters';
  if (!HANDLE_PATTERN.test(handle)) return 'A handle may have only letters, digits and . _ @ : / + = , -';
  // One a person gives (their own, an owner) starts with a letter or a digit (CONTRACT §9); a filter still finds an older owner.
  if (options.given === true && !/^[A-Za-z0-9]/.test(handle)) return 'A handle starts with a letter or a digit';
  if (!options.allowReserved && isReservedHandle(handle)) return `"${handle}" is kept for the tracker itself: choose another handle (not tracker, local, chat:… or user:…)`;
  return null;
}

/** What is wrong with a reference, in words, or null when it is fine (empty is fine: none). */
export function checkReference(reference: string): string | null {
  if (reference.length > 200) return 'A reference has at most 200 characters';
  if (!REFERENCE_PATTERN.test(reference)) return 'A reference may have only letters, digits and . _ : / # ? = & -';
  return null;
}
