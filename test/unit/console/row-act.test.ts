import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../console/src/lib/http';
import { actOnRow, type RowApi } from '../../../console/src/lib/row-act';
import type { Action, FollowUp } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';

const ID = '3f2a9c1b-7d4e-4f10-9a2b-0c1d2e3f4a5b';

const followUp = (fields: Partial<FollowUp>): FollowUp => aFollowUp({ id: ID, transaction_id: ID, ...fields });

const entry = (fields: Partial<Action> & Pick<Action, 'action' | 'actor'>): Action => ({ at: '2026-11-22T10:00:00Z', from_state: 'new', to_state: 'acknowledged', ...fields });

/** A tracker with one follow-up: POST answers `answer` (or throws it), GET /me names `me`, GET the follow-up gives `stored` and `history`. */
function trackerWith(options: { me?: string; answer: (body: Record<string, unknown>) => unknown; stored?: FollowUp; history?: Action[] }): RowApi & { sent: Record<string, unknown>[] } {
  const sent: Record<string, unknown>[] = [];
  return {
    sent,
    async get(path) {
      if (path === '/me') return { actor: options.me ?? 'ana.lopez' };
      if (path === `/follow-ups/${ID}` && options.stored) return { follow_up: options.stored, history: options.history ?? [] };
      throw new ApiError(404, 'not_found', 'not found', null);
    },
    async post(path, body) {
      expect(path).toBe(`/follow-ups/${ID}/actions`);
      sent.push(body as Record<string, unknown>);
      return options.answer(body as Record<string, unknown>);
    },
  };
}

describe('taking a worklist row', () => {
  it('a: acknowledges a new row with me as its owner and the version the page showed', async () => {
    const api = trackerWith({ answer: () => ({ follow_up: followUp({ state: 'acknowledged', owner: 'ana.lopez', version: 2 }) }) });
    expect(await actOnRow(api, followUp({}), 'acknowledge', 'ana.lopez')).toEqual({ message: 'Acknowledged 3f2a9c1b…, owner ana.lopez.', refresh: true });
    expect(api.sent).toEqual([{ action: 'acknowledge', owner: 'ana.lopez', expected_version: 1 }]);
  });

  it('a: sends nothing for a row that is not new, and says who owns it', async () => {
    const api = trackerWith({ answer: () => ({}) });
    expect(await actOnRow(api, followUp({ state: 'acknowledged', owner: 'j.doe' }), 'acknowledge', 'ana.lopez')).toEqual({ message: '3f2a9c1b… is acknowledged already; j.doe owns it. Nothing was sent.', refresh: false });
    expect(api.sent).toEqual([]);
  });

  it('Take it: assigns an acknowledged row without an owner to me (GET /me names me), with expected_version', async () => {
    const api = trackerWith({ me: 'user:ana', answer: () => ({ follow_up: followUp({ state: 'acknowledged', owner: 'user:ana', version: 4 }) }) });
    expect(await actOnRow(api, followUp({ state: 'acknowledged', version: 3 }), 'take', 'ana.lopez')).toEqual({ message: 'Took 3f2a9c1b…: owner user:ana.', refresh: true });
    expect(api.sent).toEqual([{ action: 'assign', owner: 'user:ana', expected_version: 3 }]);
  });

  it('Take it: acknowledges a new row as mine; sends nothing for one with an owner', async () => {
    const api = trackerWith({ answer: () => ({ follow_up: followUp({ state: 'acknowledged', owner: 'ana.lopez', version: 2 }) }) });
    await actOnRow(api, followUp({}), 'take', 'ana.lopez');
    expect(api.sent).toEqual([{ action: 'acknowledge', owner: 'ana.lopez', expected_version: 1 }]);
    const owned = await actOnRow(api, followUp({ state: 'acknowledged', owner: 'j.doe' }), 'take', 'ana.lopez');
    expect(owned).toEqual({ message: '3f2a9c1b… has an owner already: j.doe. Nothing was sent.', refresh: false });
    expect(api.sent).toHaveLength(1);
  });

  it('a 409 conflict says who changed what since the page loaded it, from the history, and asks for a refresh', async () => {
    const current = followUp({ state: 'acknowledged', owner: 'j.doe', version: 2 });
    const api = trackerWith({
      answer: () => {
        throw new ApiError(409, 'conflict', 'expected_version 1 but the follow-up is at version 2', { error: { code: 'conflict' }, follow_up: current });
      },
      stored: current,
      history: [entry({ action: 'open', actor: 'tracker', from_state: 'none', to_state: 'new' }), entry({ action: 'acknowledge', actor: 'j.doe', owner: 'j.doe' })],
    });
    const result = await actOnRow(api, followUp({}), 'acknowledge', 'ana.lopez');
    expect(result).toEqual({ message: '3f2a9c1b… changed since you loaded it: j.doe acknowledged it and took it. The row is refreshed.', refresh: true });
    expect(result.message).not.toMatch(/\b409\b|expected_version/);
  });

  it('a 409 invalid_transition says why it no longer applies, in words', async () => {
    const current = followUp({ state: 'closed', disposition: 'patient_declined', version: 5 });
    const api = trackerWith({
      answer: () => {
        throw new ApiError(409, 'invalid_transition', 'cannot assign a closed follow-up', { error: { code: 'invalid_transition' } });
      },
      stored: current,
    });
    const result = await actOnRow(api, followUp({ state: 'acknowledged', version: 4 }), 'take', 'ana.lopez');
    expect(result.message).toBe('3f2a9c1b…: Take it is not offered now: it is closed (patient declined); reopen it first if it still needs work. The row is refreshed.');
    expect(result.refresh).toBe(true);
  });

  it('another failure says so in words and leaves the rows', async () => {
    const api = trackerWith({
      answer: () => {
        throw new ApiError(403, 'forbidden', 'not in the group', null);
      },
    });
    expect(await actOnRow(api, followUp({}), 'acknowledge', 'ana.lopez')).toEqual({ message: '3f2a9c1b… was not acknowledged. You are not allowed to do that (not in the group).', refresh: false });
  });
});
