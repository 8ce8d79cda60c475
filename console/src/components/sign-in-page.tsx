/**
 * The page a person sees on AWS when they are not signed in (CONTRACT §12):
 * after signing out, when the session has ended, or when a sign-in did not
 * finish. It never leaves for the sign-in page on its own from here: the
 * person chooses to, so a refused sign-in cannot loop.
 */
export type SignedOutReason = { kind: 'signed-out' } | { kind: 'ended' } | { kind: 'problem'; message: string } | { kind: 'leaving' };

const HEADINGS: Record<SignedOutReason['kind'], string> = {
  'signed-out': 'You are signed out',
  ended: 'Your session has ended',
  problem: 'The sign-in did not finish',
  leaving: 'Taking you to sign in…',
};

export function SignInPage({ reason, onSignIn }: { reason: SignedOutReason; onSignIn: () => void }) {
  return (
    <>
      <h1 tabIndex={-1}>{HEADINGS[reason.kind]}</h1>
      {reason.kind === 'problem' && <p role="alert">{reason.message}</p>}
      {reason.kind === 'ended' && <p>Sign in again to go on. Nothing you had saved is lost; a form you had not sent is.</p>}
      {reason.kind === 'signed-out' && <p>Close this tab, or sign in again to go on working.</p>}
      {reason.kind !== 'leaving' && (
        <div class="button-row">
          <button type="button" onClick={onSignIn}>
            Sign in
          </button>
        </div>
      )}
    </>
  );
}
