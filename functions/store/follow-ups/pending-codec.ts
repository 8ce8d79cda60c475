/**
 * How a follow-up item carries history entries whose items may not be written yet
 * (A.pendingHistory, pending-history.ts): JSON text with short field names, the last
 * entry without its `at` and `action` when they are the item's newest entry's. Pure,
 * and apart from item.ts so that the item's codec reads them too.
 */
import type { FollowUpAction, LastEntry } from '../../core/follow-up/history';

/**
 * The entries' fields as the item carries them: the common ones by a letter or two, any other
 * prefixed with `~` (so no field is read as another), the item under 1 KB as often as it can be.
 */
const SHORT: Readonly<Record<string, string>> = {
  at: 'a',
  actor: 'w',
  action: 'x',
  from_state: 'f',
  to_state: 't',
  fact_time: 'ft',
  fact: 'k',
  disposition: 'd',
  redraw_order_id: 'r',
  attention: 'n',
};
const LONG: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SHORT).map(([name, short]) => [short, name]));
const OTHER = '~';

/** `entries` as the item carries them; the last without its `at` and `action` when they are `last`'s (the item's newest entry). */
export function encodePending(entries: readonly FollowUpAction[], last: LastEntry | null): string {
  const encoded = entries.map((entry, index) => {
    const sameAsLast = index === entries.length - 1 && last !== null && entry.at === last.at && entry.action === last.action;
    return Object.fromEntries(
      Object.entries(entry)
        .filter(([name]) => !(sameAsLast && (name === 'at' || name === 'action')))
        .map(([name, value]) => [SHORT[name] ?? `${OTHER}${name}`, value]),
    );
  });
  return JSON.stringify(encoded);
}

/** The entries `text` carries (null: none), the last one's `at` and `action` from `last` when it left them out. Throws on one it cannot read. */
export function decodePending(text: unknown, last: Partial<LastEntry> | null | undefined): FollowUpAction[] | null {
  if (typeof text !== 'string') return null;
  const encoded: unknown = JSON.parse(text);
  if (!Array.isArray(encoded) || !encoded.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) throw new Error('pending history is not a list of entries');
  const entries = (encoded as Record<string, unknown>[]).map((entry, index) => {
    const decoded = Object.fromEntries(Object.entries(entry).map(([name, value]) => [name.startsWith(OTHER) ? name.slice(OTHER.length) : (LONG[name] ?? name), value]));
    return index === encoded.length - 1 && decoded.action === undefined ? { ...decoded, at: last?.at, action: last?.action } : decoded;
  });
  if (!entries.every((entry) => typeof entry.action === 'string' && typeof entry.at === 'string')) throw new Error('pending history is not a list of entries');
  return entries as FollowUpAction[];
}
