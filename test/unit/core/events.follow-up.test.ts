/**
 * `follow_up.changed` (CONTRACT §7, §9) as plain functions: the fact of a new
 * history entry of a follow-up (functions/core/events.ts followUpFacts), and
 * which stream writes of the follow-up's partition have one
 * (functions/store/stream-facts.ts factsOfWrite): a history INSERT does; a
 * history MODIFY (retention setting its expiry), a REMOVE (the TTL) and the
 * follow-up item's own writes do not. docs/events.md's examples are what the
 * code publishes for the stories they tell.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventId, followUpFacts, FOLLOW_UP_ACTION_FIELDS, type TrackerEvent } from '../../../functions/core/events';
import { parseAction } from '../../../functions/core/follow-up/action-body';
import { openingEntry, type FollowUpAction, type LastEntry } from '../../../functions/core/follow-up/history';
import { applyAction } from '../../../functions/core/follow-up/person-action';
import type { RedrawFact } from '../../../functions/core/follow-up/situation';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, openFollowUp, PERSON_DISPOSITIONS, SNOOZE_REASONS, type FollowUp } from '../../../functions/core/follow-up/states';
import { trackerUpdate } from '../../../functions/core/follow-up/tracker-update';
import { itemOf } from '../../../functions/store/follow-ups/item';
import { factsOfWrite } from '../../../functions/store/stream-facts';
import { readStreamItem } from '../../../functions/store/stream-items';
import { keys } from '../../../functions/store/keys';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const HOUR = 3_600_000;
const opened = (transactionId: string | null = 't-1'): FollowUp =>
  openFollowUp({ id: transactionId ?? 'o-1', transactionId, initialOrderId: 'o-1', redrawOrderId: null, openedAt: '2026-03-02T12:00:00.000000Z' });

/** A person's action on `followUp` at `now`: its new follow-up and its one history entry (the action must change something). */
function act(followUp: FollowUp, body: unknown, now = NOW, actor = 'arn:aws:iam::123456789012:user/nurse'): { followUp: FollowUp; entry: FollowUpAction } {
  const parsed = parseAction(body, now);
  if (parsed.kind !== 'ok') throw new Error(parsed.message);
  const outcome = applyAction(followUp, parsed.action, { actor, kind: 'iam' }, now);
  if (outcome.kind !== 'changed') throw new Error(`${JSON.stringify(body)}: ${outcome.kind}`);
  expect(outcome.entries).toHaveLength(1);
  return { followUp: outcome.followUp, entry: outcome.entries[0]! };
}

/** A follow-up with what the tracker keeps beside it between changes. */
interface Kept {
  followUp: FollowUp;
  applied: RedrawFact[];
  last: LastEntry | null;
}

/** The tracker's update of `kept` when `facts` hold at `now` (each dated `now`): the new state and the entries of its new versions. */
function tracker(kept: Kept, facts: readonly RedrawFact[], now = NOW): Kept & { entries: FollowUpAction[] } {
  const at = now.toISOString().replace('Z', '000Z');
  const update = trackerUpdate(kept.followUp, kept.last, kept.applied, { facts: facts.map((fact) => ({ fact, at })), initialOrderId: 'o-1', redrawOrderId: kept.followUp.redraw_order_id, redrawOrderedAt: null, openedAt: null, latestStatusTime: at }, now);
  return { followUp: update.followUp, applied: update.applied, last: update.last ?? kept.last, entries: update.entries };
}

/** The facts of the entries a change added, each with its own version. */
function factsOfChange(followUp: FollowUp, entries: readonly FollowUpAction[]): TrackerEvent[] {
  return entries.flatMap((entry, index) => followUpFacts({ followUpId: followUp.id, transactionId: followUp.transaction_id, version: followUp.version - entries.length + 1 + index, entry }));
}

/** A history item as store/follow-ups/write.ts writes it (writeStoredFollowUp). */
const historyItem = (followUp: FollowUp, entry: FollowUpAction, expiresAt?: number) => ({
  ...keys.followUpHistory(followUp.id, followUp.version),
  tx: followUp.transaction_id,
  entry,
  ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
});

const factOf = (followUp: FollowUp, entry: FollowUpAction): TrackerEvent => {
  const facts = followUpFacts({ followUpId: followUp.id, transactionId: followUp.transaction_id, version: followUp.version, entry });
  expect(facts).toHaveLength(1);
  return facts[0]!;
};

describe('follow_up.changed of one history entry', () => {
  it('carries who, what, the states, the version and the action’s fields, dated by the entry', () => {
    const { followUp, entry } = act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked', reference: 'JIRA-12' });
    expect(factOf(followUp, entry)).toEqual({
      id: eventId('follow_up.changed', 't-1', '2', 'snooze', '2026-03-10T12:00:00.000000Z'),
      type: 'follow_up.changed',
      order_id: null,
      transaction_id: 't-1',
      status_time: '2026-03-10T12:00:00.000000Z',
      follow_up_id: 't-1',
      action: 'snooze',
      from_state: 'new',
      to_state: 'snoozed',
      actor: 'arn:aws:iam::123456789012:user/nurse',
      version: 2,
      until: '2026-03-14T09:00:00.000000Z',
      reason: 'appointment_booked',
      reference: 'JIRA-12',
    });
  });

  it('carries source "ehr" for work done in the EHR (CONTRACT §13), and no source for an action from anywhere else', () => {
    const { followUp, entry } = act(opened(), { action: 'close', disposition: 'other' });
    const fromEhr = { ...entry, actor: 'ehr:Practitioner/123', source: 'ehr', fhir_version_id: '7', fhir_last_updated: '2026-03-10T11:59:00.000Z' };
    const fact = factOf(followUp, fromEhr);
    expect(fact).toMatchObject({ action: 'close', actor: 'ehr:Practitioner/123', source: 'ehr' });
    // The FHIR server's version bookkeeping stays in the history: the event names the action, not the Task.
    expect(fact).not.toHaveProperty('fhir_version_id');
    expect(factOf(followUp, entry)).not.toHaveProperty('source');
  });

  it('publishes the tracker’s open (version 1) dated when recorded, with Junction’s time of what opened it as fact_time', () => {
    const followUp = opened();
    expect(factOf(followUp, openingEntry(followUp, NOW))).toMatchObject({
      action: 'open',
      actor: 'tracker',
      from_state: 'new',
      to_state: 'new',
      version: 1,
      status_time: '2026-03-10T12:00:00.000000Z',
      fact_time: '2026-03-02T12:00:00.000000Z',
    });
  });

  it('copies every field of every action’s entry, a person’s and the tracker’s, and nothing else', () => {
    let kept: Kept = { followUp: opened(), applied: [], last: null };
    const entries: [FollowUp, FollowUpAction][] = [[kept.followUp, openingEntry(kept.followUp, NOW)]];
    const step = (next: { followUp: FollowUp; entry: FollowUpAction }) => {
      kept = { ...kept, followUp: next.followUp };
      entries.push([next.followUp, next.entry]);
    };
    const trackerStep = (facts: RedrawFact[], now: Date, extra: Partial<FollowUp> = {}) => {
      const next = tracker({ ...kept, followUp: { ...kept.followUp, ...extra } }, facts, now);
      next.entries.forEach((entry, index) => entries.push([{ ...next.followUp, version: next.followUp.version - next.entries.length + 1 + index }, entry]));
      kept = next;
    };
    step(act(kept.followUp, { action: 'acknowledge', owner: 'team.outreach' }));
    step(act(kept.followUp, { action: 'assign', owner: null }));
    step(act(kept.followUp, { action: 'snooze', until: '2026-03-10T13:00:00Z', reason: 'patient_requested' }));
    step(act(kept.followUp, { action: 'record_contact', channel: 'phone', outcome: 'no_answer', reference: 'https://crm.example/t/9?x=1&y=2' }));
    trackerStep(['redraw_failed'], new Date('2026-03-10T14:00:00Z'));
    step(act(kept.followUp, { action: 'close', disposition: 'patient_unreachable' }, new Date('2026-03-10T15:00:00Z')));
    step(act(kept.followUp, { action: 'reopen' }, new Date('2026-03-10T15:00:00Z')));
    trackerStep(['transaction_cancelled'], new Date('2026-03-10T16:00:00Z'));
    trackerStep([], new Date('2026-03-10T17:00:00Z'));
    trackerStep([], new Date('2026-03-10T17:00:00Z'), { redraw_order_id: null });
    expect(entries.map(([, entry]) => entry.action)).toEqual(['open', 'acknowledge', 'assign', 'snooze', 'record_contact', 'snooze_ended', 'attention', 'close', 'reopen', 'attention', 'close', 'reopen']);
    for (const [stored, entry] of entries) {
      const { at, ...rest } = entry;
      const fact = factOf(stored, entry);
      const { id, type, order_id, transaction_id, status_time, follow_up_id, version, ...carried } = fact as TrackerEvent & Record<string, unknown>;
      expect({ type, order_id, transaction_id, status_time, follow_up_id, version }).toEqual({
        type: 'follow_up.changed',
        order_id: null,
        transaction_id: 't-1',
        status_time: at,
        follow_up_id: 't-1',
        version: stored.version,
      });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      // Whatever an entry holds reaches the fact; a new field of an entry fails here until the fact names it.
      expect(carried).toEqual(rest);
      for (const field of Object.keys(rest)) expect(['action', 'from_state', 'to_state', 'actor', ...FOLLOW_UP_ACTION_FIELDS]).toContain(field);
    }
    expect(new Set(entries.map(([stored, entry]) => factOf(stored, entry).id)).size).toBe(entries.length);
  });

  it('names the order of a follow-up of an order without a transaction (its id is the order’s)', () => {
    const followUp = opened(null);
    expect(factOf(followUp, openingEntry(followUp, NOW))).toMatchObject({ follow_up_id: 'o-1', order_id: 'o-1', transaction_id: null });
  });

  it('gives the same change the same id, and a follow-up opened again after its history expired new ones', () => {
    const followUp = opened();
    const first = factOf(followUp, openingEntry(followUp, NOW));
    expect(factOf(followUp, openingEntry(followUp, NOW)).id).toBe(first.id);
    const again = openFollowUp({ id: 't-1', transactionId: 't-1', initialOrderId: 'o-1', redrawOrderId: null, openedAt: '2027-04-01T00:00:00.000000Z' });
    expect(factOf(again, openingEntry(again, new Date('2027-04-01T00:00:00Z'))).id).not.toBe(first.id);
  });

  it('chains every follow-up’s facts version by version, each from_state the previous to_state, for any sequence of actions (property)', () => {
    const body = fc.oneof(
      fc.record({ action: fc.constant('acknowledge'), owner: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) }, { requiredKeys: ['action'] }),
      fc.record({ action: fc.constant('assign'), owner: fc.constantFrom('a', 'b', null) }),
      fc.record({ action: fc.constant('snooze'), hours: fc.integer({ min: 1, max: 200 }), reason: fc.constantFrom(...SNOOZE_REASONS) }),
      fc.record({ action: fc.constant('record_contact'), channel: fc.constantFrom(...CONTACT_CHANNELS), outcome: fc.constantFrom(...CONTACT_OUTCOMES) }),
      fc.record({ action: fc.constant('close'), disposition: fc.constantFrom(...PERSON_DISPOSITIONS) }),
      fc.record({ action: fc.constant('reopen') }),
      fc.record({ tracker: fc.subarray(['redraw_completed', 'transaction_cancelled', 'results_received', 'redraw_failed'] as RedrawFact[]) }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(body, fc.integer({ min: 0, max: 100 })), { maxLength: 30 }), (steps) => {
        let kept: Kept = { followUp: opened(), applied: [], last: null };
        const facts = [factOf(kept.followUp, openingEntry(kept.followUp, NOW))];
        let now = NOW.getTime();
        for (const [step, advanceHours] of steps) {
          now += advanceHours * HOUR;
          if ('tracker' in step) {
            const next = tracker(kept, step.tracker, new Date(now));
            facts.push(...factsOfChange(next.followUp, next.entries));
            kept = next;
            continue;
          }
          const { hours, ...rest } = step as { hours?: number } & Record<string, unknown>;
          const parsed = parseAction(hours === undefined ? rest : { ...rest, until: new Date(now + hours * HOUR).toISOString() }, new Date(now));
          if (parsed.kind !== 'ok') throw new Error(parsed.message);
          const outcome = applyAction(kept.followUp, parsed.action, { actor: 'someone', kind: 'iam' }, new Date(now), kept.last);
          if (outcome.kind !== 'changed') continue;
          facts.push(...factsOfChange(outcome.followUp, outcome.entries));
          kept = { ...kept, followUp: outcome.followUp, last: outcome.last };
        }
        const followUp = kept.followUp;
        const changes = facts.flatMap((fact) => (fact.type === 'follow_up.changed' ? [fact] : []));
        expect(changes.map((fact) => fact.version)).toEqual(changes.map((_, index) => index + 1));
        for (let index = 1; index < changes.length; index++) expect(changes[index]!.from_state).toBe(changes[index - 1]!.to_state);
        expect(changes.at(-1)!.to_state).toBe(followUp.state);
        expect(new Set(changes.map((fact) => fact.id)).size).toBe(changes.length);
        const times = changes.map((fact) => fact.status_time);
        expect(times).toEqual([...times].sort());
      }),
    );
  });
});

describe('which writes of a follow-up’s partition publish', () => {
  const { followUp, entry } = act(opened(), { action: 'close', disposition: 'patient_declined' });
  const item = historyItem(followUp, entry);
  /** A write's facts, its items read as the transaction function's intake reads them (store/stream-items.ts). */
  const factsOf = (before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined, writtenAt?: number) =>
    factsOfWrite(before && readStreamItem(before), after && readStreamItem(after), writtenAt);

  it('publishes a history INSERT, with the entry read back from the item', () => {
    expect(factsOf(undefined, item, 1_773_144_000)).toEqual([factOf(followUp, entry)]);
  });

  it('publishes a close as reordered with the new order’s id as its reference, read back from the item', () => {
    const reordered = act(opened(), { action: 'close', disposition: 'reordered', reference: 'o-new-1' });
    const facts = factsOf(undefined, historyItem(reordered.followUp, reordered.entry), 1_773_144_000);
    expect(facts).toEqual([factOf(reordered.followUp, reordered.entry)]);
    expect(facts[0]).toMatchObject({ type: 'follow_up.changed', action: 'close', from_state: 'new', to_state: 'closed', disposition: 'reordered', reference: 'o-new-1' });
  });

  it('publishes nothing for a history MODIFY (retention setting its expiry) or a REMOVE (the TTL)', () => {
    expect(factsOf(item, historyItem(followUp, entry, 1_800_000_000))).toEqual([]);
    expect(factsOf(historyItem(followUp, entry, 1_800_000_000), item)).toEqual([]);
    expect(factsOf(item, undefined)).toEqual([]);
  });

  it('publishes nothing for the follow-up item’s own writes (each change it records has its history entry)', () => {
    const stored = { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null, revision: 2 };
    const followUpItem = itemOf(stored);
    expect(factsOf(undefined, followUpItem)).toEqual([]);
    expect(factsOf(followUpItem, itemOf({ ...stored, revision: 3 }))).toEqual([]);
    expect(factsOf(followUpItem, undefined)).toEqual([]);
  });

  it('refuses a history item whose entry is not one (a bug: the stream retries it rather than publish garbage)', () => {
    expect(() => factsOf(undefined, { ...item, entry: { action: 'close' } })).toThrow();
  });
});

/** docs/events.md's three follow-up stories, every change's fact in order. */
function docsStories(): TrackerEvent[] {
  const facts: TrackerEvent[] = [];
  const NURSE = 'arn:aws:iam::123456789012:user/nurse';
  type Step = [string, Record<string, unknown>] | [string, { facts: RedrawFact[]; redraw_order_id?: string }];
  const run = (id: string, openedAt: string, recordedAt: string, steps: Step[]) => {
    let kept: Kept = { followUp: openFollowUp({ id, transactionId: id, initialOrderId: 'o-1', redrawOrderId: null, openedAt }), applied: [], last: null };
    const opening = openingEntry(kept.followUp, new Date(recordedAt));
    kept.last = { at: opening.at, action: opening.action };
    facts.push(...factsOfChange(kept.followUp, [opening]));
    for (const [at, step] of steps) {
      const now = new Date(at);
      if ('facts' in step) {
        const told = step as { facts: RedrawFact[]; redraw_order_id?: string };
        const factAt = now.toISOString().replace('Z', '000Z');
        const update = trackerUpdate(
          kept.followUp,
          kept.last,
          kept.applied,
          {
            facts: told.facts.map((fact) => ({ fact, at: factAt })),
            initialOrderId: 'o-1',
            redrawOrderId: told.redraw_order_id ?? kept.followUp.redraw_order_id,
            redrawOrderedAt: told.redraw_order_id ? factAt : null,
            openedAt: null,
            latestStatusTime: factAt,
          },
          now,
        );
        facts.push(...factsOfChange(update.followUp, update.entries));
        kept = { followUp: update.followUp, applied: update.applied, last: update.last ?? kept.last };
        continue;
      }
      const parsed = parseAction(step, now);
      if (parsed.kind !== 'ok') throw new Error(parsed.message);
      const outcome = applyAction(kept.followUp, parsed.action, { actor: NURSE, kind: 'iam' }, now, kept.last);
      if (outcome.kind !== 'changed') throw new Error(outcome.kind);
      facts.push(...factsOfChange(outcome.followUp, outcome.entries));
      kept = { ...kept, followUp: outcome.followUp, last: outcome.last };
    }
  };
  run('t-1', '2026-03-02T13:00:00.000000Z', '2026-03-02T13:00:04Z', [
    ['2026-03-03T08:15:00Z', { action: 'acknowledge', owner: 'team.outreach' }],
    ['2026-03-03T08:20:00Z', { action: 'assign', owner: 'j.doe' }],
    ['2026-03-03T09:00:00Z', { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }],
    ['2026-03-03T09:05:00Z', { action: 'snooze', until: '2026-03-09T09:00:00Z', reason: 'appointment_booked', reference: 'CRM-4711' }],
    ['2026-03-09T10:00:00Z', { facts: [], redraw_order_id: 'o-2' }],
    ['2026-03-12T10:00:00Z', { action: 'close', disposition: 'patient_unreachable' }],
    ['2026-03-12T10:30:00Z', { action: 'reopen' }],
    ['2026-03-13T16:00:00Z', { facts: ['redraw_completed'] }],
  ]);
  run('t-2', '2026-03-04T11:00:00.000000Z', '2026-03-04T11:00:02Z', [
    ['2026-03-10T14:00:00Z', { facts: ['redraw_failed'] }],
    ['2026-03-11T09:00:00Z', { action: 'close', disposition: 'clinician_accepted_partial_results' }],
  ]);
  run('t-3', '2026-03-05T09:00:00.000000Z', '2026-03-05T09:00:03Z', [
    ['2026-03-06T12:00:00Z', { facts: ['transaction_cancelled'] }],
    ['2026-03-07T08:00:00Z', { facts: [] }],
    ['2026-03-07T09:00:00Z', { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'patient_requested' }],
    ['2026-03-09T11:00:00Z', { action: 'unsnooze' }],
  ]);
  return facts;
}

describe('docs/events.md', () => {
  it('shows exactly the follow_up.changed facts the code publishes for its two stories', () => {
    const docs = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
    const block = /```jsonl\n([\s\S]*?)```/.exec(docs);
    expect(block).not.toBeNull();
    const shown = block![1]!.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(shown).toEqual(docsStories());
    // One of each action, a person's and the tracker's.
    const actions = new Set(shown.map((fact) => `${(fact as { action: string }).action}/${(fact as { actor: string }).actor === 'tracker' ? 'tracker' : 'person'}`));
    expect([...actions].sort()).toEqual(
      [
        'open/tracker',
        'acknowledge/person',
        'assign/person',
        'snooze/person',
        'unsnooze/person',
        'record_contact/person',
        'close/person',
        'reopen/person',
        'close/tracker',
        'reopen/tracker',
        'attention/tracker',
        'snooze_ended/tracker',
        'redraw_order_known/tracker',
      ].sort(),
    );
  });
});

