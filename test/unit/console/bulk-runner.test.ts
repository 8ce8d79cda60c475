import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NoAnswerError } from '../../../console/src/lib/http';
import { bulkRowBody, bulkSummary, closeQuestion, conflictWords, retryAfterMs, runBulk, type BulkDeps, type PostAnswer, type RowOutcome } from '../../../console/src/lib/bulk-runner';
import { propertyRuns } from '../../support/property-runs';

/** A scripted tracker: each call takes the next answer for its row; tracks the requests in flight. */
function scripted(answers: Record<string, PostAnswer[]>) {
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: { id: string; body: Record<string, unknown> }[] = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const deps: BulkDeps = {
    async post(id, body) {
      calls.push({ id, body });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // let other workers start before this one answers
      await Promise.resolve();
      await new Promise((resolve) => setTimeout(resolve, 0));
      inFlight -= 1;
      const next = answers[id]?.shift();
      if (!next) throw new Error(`no answer scripted for ${id}`);
      return next;
    },
    async sleep(ms) {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  return { deps, calls, sleeps, maxInFlight: () => maxInFlight };
}

const ok = (version: number): PostAnswer => ({ status: 200, body: { follow_up: { id: 'x', version, state: 'acknowledged' } }, retryAfter: null });
const conflict = (version: number): PostAnswer => ({ status: 409, body: { error: { code: 'conflict', message: 'changed' }, follow_up: { id: 'x', version, state: 'new' } }, retryAfter: null });
const tooMany = (retryAfter: string | null = null): PostAnswer => ({ status: 429, body: { error: { code: 'too_many_requests', message: 'slow down' } }, retryAfter });

describe('runBulk', () => {
  it('sends each row with its listed version and tells applied from unchanged', async () => {
    const tracker = scripted({ a: [ok(4)], b: [ok(7)] });
    const outcomes = await runBulk(
      [
        { id: 'a', version: 3 },
        { id: 'b', version: 7 },
      ],
      () => ({ action: 'acknowledge' }),
      tracker.deps,
    );
    expect(tracker.calls.map((call) => call.body)).toEqual([
      { action: 'acknowledge', expected_version: 3 },
      { action: 'acknowledge', expected_version: 7 },
    ]);
    expect(outcomes.map((outcome) => [outcome.id, outcome.result, outcome.version])).toEqual([
      ['a', 'applied', 4],
      ['b', 'unchanged', 7],
    ]);
  });

  it('ends a changed row conflict and goes on with the others', async () => {
    const tracker = scripted({ a: [ok(2)], b: [conflict(5)], c: [ok(2)] });
    const rows = ['a', 'b', 'c'].map((id) => ({ id, version: 1 }));
    const outcomes = await runBulk(rows, () => ({ action: 'close', disposition: 'other' }), tracker.deps);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['applied', 'conflict', 'applied']);
    expect(outcomes[1]!.version).toBe(5);
    expect(bulkSummary(outcomes)).toBe('2 applied, 1 conflict');
  });

  it('waits as Retry-After asks on a 429, then doubles its own backoff, and gives up after four attempts', async () => {
    const tracker = scripted({ a: [tooMany('2'), ok(2)], b: [tooMany(), tooMany(), tooMany(), tooMany()] });
    const outcomes = await runBulk(
      [
        { id: 'a', version: 1 },
        { id: 'b', version: 1 },
      ],
      () => ({ action: 'acknowledge' }),
      tracker.deps,
      { concurrency: 1 },
    );
    expect(tracker.sleeps).toEqual([2000, 500, 1000, 2000]);
    expect(outcomes.map((outcome) => [outcome.result, outcome.attempts])).toEqual([
      ['applied', 2],
      ['failed', 4],
    ]);
    expect(outcomes[1]!.detail).toMatch(/too many requests/);
  });

  it('ends forbidden on 403 and failed on a 409 invalid_transition, a 500 or no answer', async () => {
    const tracker = scripted({
      a: [{ status: 403, body: { error: { code: 'forbidden', message: 'no' } }, retryAfter: null }],
      b: [{ status: 409, body: { error: { code: 'invalid_transition', message: 'it is closed' }, follow_up: { id: 'b', version: 3, state: 'closed' } }, retryAfter: null }],
      c: [{ status: 500, body: { error: { code: 'internal_error', message: 'internal error' } }, retryAfter: null }],
    });
    const outcomes = await runBulk(['a', 'b', 'c', 'd'].map((id) => ({ id, version: 1 })), () => ({ action: 'snooze' }), tracker.deps);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['forbidden', 'failed', 'failed', 'failed']);
    expect(outcomes[1]!.detail).toBe('it is closed');
    expect(outcomes[3]!.detail).toBe('no answer from the tracker');
  });

  it('ends a row whose request got no answer in time failed, says it may have been applied, never sends it again, and goes on', async () => {
    const tracker = scripted({ a: [ok(2)], c: [ok(5)] });
    const post = tracker.deps.post;
    tracker.deps.post = async (id, body) => {
      if (id !== 'b') return post(id, body);
      tracker.calls.push({ id, body });
      throw new NoAnswerError('POST', 35_000);
    };
    const outcomes = await runBulk(['a', 'b', 'c'].map((id, index) => ({ id, version: index + 1 })), () => ({ action: 'acknowledge' }), tracker.deps);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['applied', 'failed', 'applied']);
    expect(outcomes[1]).toMatchObject({ attempts: 1, detail: 'no answer in 35 s: it may or may not have been applied; open it to see' });
    expect(tracker.calls.filter((call) => call.id === 'b')).toHaveLength(1);
    expect(bulkSummary(outcomes)).toBe('2 applied, 1 failed');
  });

  it('never has more than 4 requests in flight and gives every row exactly one result, whatever the answers (property)', async () => {
    const answer = fc.constantFrom<'200' | '200same' | '409' | '403' | '429' | '500'>('200', '200same', '409', '403', '429', '500');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(answer, { minLength: 1, maxLength: 5 }), { minLength: 0, maxLength: 14 }), async (scripts) => {
        const answers: Record<string, PostAnswer[]> = {};
        const rows = scripts.map((script, i) => {
          const id = `f-${i}`;
          answers[id] = script.map((kind) => {
            if (kind === '200') return ok(2);
            if (kind === '200same') return ok(1);
            if (kind === '409') return conflict(3);
            if (kind === '403') return { status: 403, body: {}, retryAfter: null };
            if (kind === '429') return tooMany('1');
            return { status: 500, body: {}, retryAfter: null };
          });
          return { id, version: 1 };
        });
        const expected = scripts.map((script) => {
          // the first answer that is not a 429 decides, unless four 429s came first
          const decisive = script.slice(0, 4).find((kind) => kind !== '429');
          if (decisive === undefined) return script.length >= 4 ? 'failed' : 'unscripted';
          return { '200': 'applied', '200same': 'unchanged', '409': 'conflict', '403': 'forbidden', '500': 'failed' }[decisive];
        });
        const tracker = scripted(answers);
        const heard: RowOutcome[] = [];
        const outcomes = await runBulk(rows, () => ({ action: 'acknowledge' }), tracker.deps, { onResult: (outcome) => heard.push(outcome) });
        expect(tracker.maxInFlight()).toBeLessThanOrEqual(4);
        expect(outcomes.map((outcome) => outcome.id)).toEqual(rows.map((row) => row.id));
        expect(heard.map((outcome) => outcome.id).sort()).toEqual(rows.map((row) => row.id).sort());
        expect(outcomes.map((outcome) => outcome.result)).toEqual(expected.map((result) => (result === 'unscripted' ? 'failed' : result)));
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it('uses 4 requests at once when there are enough rows', async () => {
    const answers: Record<string, PostAnswer[]> = {};
    for (let i = 0; i < 10; i += 1) answers[`r${i}`] = [ok(2)];
    const tracker = scripted(answers);
    await runBulk(Object.keys(answers).map((id) => ({ id, version: 1 })), () => ({ action: 'acknowledge' }), tracker.deps, { concurrency: 16 });
    expect(tracker.maxInFlight()).toBe(4);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Tue, 24 Nov 2026 07:00:10 GMT', Date.parse('2026-11-24T07:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});

describe('bulkSummary', () => {
  it('counts each result in a fixed order, plural where needed', () => {
    const outcome = (result: RowOutcome['result']): RowOutcome => ({ id: 'x', result, version: null, detail: null, attempts: 1 });
    expect(bulkSummary(['conflict', 'applied', 'conflict', 'failed', 'applied', 'applied'].map((r) => outcome(r as RowOutcome['result'])))).toBe('3 applied, 2 conflicts, 1 failed');
    expect(bulkSummary([])).toBe('Nothing to do');
  });
});

describe('bulkRowBody', () => {
  it('takes a row without an owner for the person on Acknowledge, as "Take it" does', () => {
    expect(bulkRowBody({ action: 'acknowledge' }, { id: 'a', version: 1, owner: null }, 'jon.t')).toEqual({ action: 'acknowledge', owner: 'jon.t' });
  });

  it('never names an owner for a row that has one (acknowledge never replaces one), nor for another action', () => {
    expect(bulkRowBody({ action: 'acknowledge' }, { id: 'a', version: 1, owner: 'kim.w' }, 'jon.t')).toEqual({ action: 'acknowledge' });
    expect(bulkRowBody({ action: 'snooze', until: 'x', reason: 'other' }, { id: 'a', version: 1, owner: null }, 'jon.t')).toEqual({ action: 'snooze', until: 'x', reason: 'other' });
    expect(bulkRowBody({ action: 'close', disposition: 'other' }, { id: 'a', version: 1, owner: null }, 'jon.t')).toEqual({ action: 'close', disposition: 'other' });
  });

  it("sends each row its own body through runBulk, with the row's listed version", async () => {
    const { deps, calls } = scripted({ a: [ok(2)], b: [ok(4)] });
    await runBulk(
      [
        { id: 'a', version: 1, owner: null },
        { id: 'b', version: 3, owner: 'kim.w' },
      ],
      (row) => bulkRowBody({ action: 'acknowledge' }, row, 'jon.t'),
      deps,
    );
    expect(calls.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'a', body: { action: 'acknowledge', owner: 'jon.t', expected_version: 1 } },
      { id: 'b', body: { action: 'acknowledge', expected_version: 3 } },
    ]);
  });
});

describe('closeQuestion', () => {
  it('names how many and the disposition', () => {
    expect(closeQuestion(7, 'Patient declined')).toBe('Close 7 follow-ups with disposition “Patient declined”?');
    expect(closeQuestion(1, 'Other')).toBe('Close 1 follow-up with disposition “Other”?');
  });
});

describe('conflictWords', () => {
  it('says who changed the row and what it is now', () => {
    expect(conflictWords(['kim.w took it (version 4)'], { state: 'Acknowledged', owner: 'kim.w' })).toBe('changed since you loaded it: kim.w took it (version 4); now Acknowledged, owner kim.w');
    expect(conflictWords(['a (version 2)', 'b (version 3)'], { state: 'Snoozed', owner: null })).toBe('changed since you loaded it: a (version 2); b (version 3); now Snoozed, no owner');
  });

  it('says so when the history could not be read', () => {
    expect(conflictWords([], null)).toBe('changed since you loaded it: someone changed it (who is not known yet: open it to see)');
  });
});
