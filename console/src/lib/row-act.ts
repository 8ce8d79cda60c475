/**
 * Taking a worklist row (CONTRACT §12, "one meaning of taking it": the person
 * becomes its owner): the `a` shortcut acknowledges a new row and takes it when
 * it has no owner; "Take it" takes a row without an owner (acknowledge on a new
 * one, assign on an acknowledged or snoozed one), each with expected_version.
 * A 409 is said in words (who changed what since the page loaded it, from the
 * history), never the API's raw text; the caller then refreshes the rows.
 */
import { ApiError } from './http';
import { changesSince, noLongerOffered } from './conflict';
import { errorWords } from './load';
import { acknowledgeRefusal, changedBehindWords, tookWords } from './row-words';
import { shortId, takeItAction } from './row-view';
import { asFollowUpDetail, followUpOf, isRecord, type FollowUp } from './types';
import { takeItOwner } from './words';

export interface RowApi {
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

export interface RowActResult {
  /** What to announce. */
  message: string;
  /** Whether the rows should be read again (something was sent, or the row was found changed). */
  refresh: boolean;
}

/** Who the record names the caller (GET /me), or `fallback` when it cannot say. */
async function whoAmI(api: RowApi, fallback: string): Promise<string> {
  try {
    const body = await api.get('/me');
    return isRecord(body) && typeof body.actor === 'string' ? body.actor : fallback;
  } catch {
    return fallback;
  }
}

/** A 409 in words: what changed since `row` was loaded (conflict), or why the action no longer applies (invalid_transition). */
async function conflictMessage(api: RowApi, row: FollowUp, error: ApiError, action: 'acknowledge' | 'assign', takeIt: boolean, me: string): Promise<string> {
  const current = followUpOf(error.body);
  let history: Parameters<typeof changesSince>[0] = [];
  let now: FollowUp | null = current;
  try {
    const detail = asFollowUpDetail(await api.get(`/follow-ups/${encodeURIComponent(row.id)}`));
    history = detail.history;
    now = now ?? detail.follow_up;
  } catch {
    // the words below say less, never the raw answer
  }
  if (error.code === 'conflict' && now !== null) return changedBehindWords(row.id, changesSince(history, row.version, now));
  const why = now === null ? null : noLongerOffered(action, takeIt, now, me);
  return `${shortId(row.id)}: ${why ?? 'the tracker refused it as it is now'} The row is refreshed.`;
}

/**
 * Sends the `a` shortcut's acknowledge ('acknowledge') or "Take it" ('take') for
 * `row` as the page loaded it; `handle`: who the page says is signed in (used
 * when GET /me cannot say).
 */
export async function actOnRow(api: RowApi, row: FollowUp, kind: 'acknowledge' | 'take', handle: string): Promise<RowActResult> {
  if (kind === 'acknowledge') {
    const refusal = acknowledgeRefusal(row);
    if (refusal !== null) return { message: refusal, refresh: false };
  }
  const action = kind === 'acknowledge' ? 'acknowledge' : takeItAction(row);
  if (action === null) return { message: `${shortId(row.id)} has an owner already: ${row.owner ?? 'it is closed'}. Nothing was sent.`, refresh: false };
  const me = await whoAmI(api, handle);
  const owner = action === 'assign' ? me : takeItOwner(row, me);
  try {
    const answer = await api.post(`/follow-ups/${encodeURIComponent(row.id)}/actions`, { action, ...(owner === undefined ? {} : { owner }), expected_version: row.version });
    const after = followUpOf(answer) ?? { ...row, owner: owner ?? row.owner };
    return { message: tookWords(after, kind === 'acknowledge' ? 'Acknowledged' : 'Took'), refresh: true };
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) return { message: await conflictMessage(api, row, error, action, kind === 'take', me), refresh: true };
    return { message: `${shortId(row.id)} was not ${kind === 'acknowledge' ? 'acknowledged' : 'taken'}. ${errorWords(error)}`, refresh: false };
  }
}
