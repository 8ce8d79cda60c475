/**
 * A booking action (CONTRACT §14), read, decide, act: the follow-up and its
 * orders are read, core/booking/decide.ts says what to do, and this does it:
 * answer at once, record a version, read Junction's appointment after an
 * unknown outcome (./read-first.ts), or claim and call once (./call.ts). The
 * loop only ever goes round before a call to Junction that acts: a claim lost
 * to another writer, or a read-first's finding written, is decided again.
 */
import { parseBookingAction, type BookingActionBody } from '../../core/booking/action-body';
import { applyLabCancel, applyRecordBooking, claimAttempt, type AnswerContext } from '../../core/booking/apply';
import { decideBooking, type BookingStep } from '../../core/booking/decide';
import type { BookingAttempt } from '../../core/booking/record';
import { readBookingFacts } from '../../store/booking-facts';
import { writeBookingChange } from '../../store/follow-ups/booking';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import { getFollowUp } from '../../store/follow-ups/reads';
import { MAX_RACES } from '../../store/follow-ups/write';
import { callJunction } from './call';
import { readFirst } from './read-first';
import type { BookingDeps, BookingInput, BookingResult } from './result';

export async function actOnBooking(deps: BookingDeps, input: BookingInput): Promise<BookingResult> {
  const parsed = parseBookingAction(input.body, input.now);
  if (parsed.kind === 'invalid') return { kind: 'invalid_request', message: parsed.message };
  const psc = deps.psc === null ? null : await deps.psc();
  // The unknown attempt a read found nothing of (its key and time: a new claim may carry the same key).
  let readDone: BookingAttempt | null = null;
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(deps.db, deps.tableName, input.id, input.now);
    if (stored === null) return { kind: 'not_found' };
    const facts = await readBookingFacts(deps.db, deps.tableName, stored.followUp, psc !== null);
    // An unknown attempt read and found to have booked nothing is left for the claim to replace.
    const attempt = stored.followUp.booking?.attempt ?? null;
    const seen = readDone !== null && attempt !== null && attempt.key === readDone.key && attempt.at === readDone.at ? withoutAttempt(stored) : stored;
    const step = decideBooking({ followUp: seen.followUp, last: stored.last ?? null, action: parsed.action, caller: input.caller, facts, now: input.now });
    const done = await take(deps, input, stored, parsed.action, step);
    if (done.kind === 'again') continue;
    if (done.kind === 'read') {
      const read = await readFirst(deps, psc!, stored, done.step.attempt, input);
      if (read.kind === 'answered') return read.result;
      readDone = read.kind === 'none' ? done.step.attempt : null;
      continue;
    }
    if (done.kind === 'call') return callJunction(deps, psc!, done.claimed, done.step, { ...input, action: parsed.action });
    return done.result;
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while a booking was decided`);
}

type Taken = { kind: 'again' } | { kind: 'read'; step: Extract<BookingStep, { kind: 'read_first' }> } | { kind: 'call'; step: Extract<BookingStep, { kind: 'call' }>; claimed: StoredFollowUp } | { kind: 'done'; result: BookingResult };

/** What a step does without Junction: an answer, or a version written now (`again` when another write got there first). */
async function take(deps: BookingDeps, input: BookingInput, stored: StoredFollowUp, action: BookingActionBody, step: BookingStep): Promise<Taken> {
  switch (step.kind) {
    case 'unchanged':
      return { kind: 'done', result: { kind: 'ok', stored, message: null } };
    case 'conflict':
      return { kind: 'done', result: { kind: 'conflict', stored } };
    case 'refused':
      return { kind: 'done', result: { kind: 'refused', status: step.status, code: step.code, message: step.message, stored } };
    case 'read_first':
      return { kind: 'read', step };
    case 'call': {
      // The claim (§14): written before the call, on the revision read; another write first decides again.
      const claimed = await writeBookingChange(deps.db, deps.tableName, stored, { kind: 'bookkeeping', followUp: claimAttempt(stored.followUp, step.attempt) }, deps.thresholds, input.now);
      return claimed === 'lost' ? { kind: 'again' } : { kind: 'call', step, claimed };
    }
    case 'record': {
      const context: AnswerContext = { caller: input.caller, owner: 'owner' in action ? action.owner : undefined, graceHours: deps.graceHours, now: input.now };
      const change =
        action.action === 'record_booking'
          ? applyRecordBooking(stored.followUp, stored.last ?? null, { start_at: action.start_at, site_code: action.site_code ?? null }, context)
          : applyLabCancel(stored.followUp, stored.last ?? null, context);
      if (change.kind === 'unchanged') return { kind: 'done', result: { kind: 'ok', stored, message: null } };
      const written = await writeBookingChange(deps.db, deps.tableName, stored, change, deps.thresholds, input.now);
      return written === 'lost' ? { kind: 'again' } : { kind: 'done', result: { kind: 'ok', stored: written, message: null } };
    }
  }
}

function withoutAttempt(stored: StoredFollowUp): StoredFollowUp {
  const booking = stored.followUp.booking!;
  return { ...stored, followUp: { ...stored.followUp, booking: { ...booking, attempt: null, unknown_since: null } } };
}
