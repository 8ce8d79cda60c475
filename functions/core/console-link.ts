/**
 * Links into the console (CONTRACT §12) from what the tracker sends: an alert
 * links to its follow-up, the weekly digest to the worklist of what needs
 * attention, so a person acts in one click instead of copying an id.
 *
 * The console's pages are hash routes on its own URL (the base: on AWS the
 * stack's `ConsoleUrl`, `https://<distribution>.cloudfront.net/`; under
 * `npm start` its own `http://127.0.0.1:<port>/`), so a link is the base and a
 * hash: `<base>#/follow-ups/<url-encoded id>`, `<base>#/worklist?queue=attention`
 * (the console parses them with console/src/lib/route.ts and url-state.ts). A
 * link carries an id or a queue's name and nothing else: no PHI. Pure.
 */

/** The console's queue of what needs attention: a failed redraw or a stale flag (CONTRACT §12's "Needs attention"). */
export const ATTENTION_QUEUE = 'attention';

/**
 * Whether `value` can be the console's base URL: an absolute http(s) URL that
 * ends in `/`, with no credentials, query or fragment (the link's hash follows
 * it), written in the characters a host, a port and a plain path need (so it
 * goes into a chat link, `<url|text>`, and an e-mail line as it is).
 */
export function isConsoleBase(value: string): boolean {
  if (!/^https?:\/\/[A-Za-z0-9._~:/%[\]-]+\/$/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.username === '' && url.password === '' && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The follow-up's page in the console, or null without a base (no console) or without a follow-up. */
export function consoleFollowUpLink(base: string | null | undefined, followUpId: string | null | undefined): string | null {
  if (!base || !followUpId) return null;
  return `${base}#/follow-ups/${encodeURIComponent(followUpId)}`;
}

/** The console's worklist of what needs attention, or null without a base (no console). */
export function consoleAttentionLink(base: string | null | undefined): string | null {
  if (!base) return null;
  return `${base}#/worklist?queue=${ATTENTION_QUEUE}`;
}
