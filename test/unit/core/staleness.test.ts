import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../../functions/core/instant';
import {
  DEFAULT_THRESHOLDS,
  hasRedrawOrder,
  openRedrawKind,
  staleCutoffs,
  staleReason,
  type RedrawCandidate,
  type StaleThresholds,
} from '../../../functions/core/staleness';

const NOW = new Date('2026-03-20T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A canonical status time `ms` milliseconds before NOW. */
const before = (ms: number) => canonicalFromDate(new Date(NOW.getTime() - ms));

const candidate = (origin: string | null, low: string, statusTime = before(30 * DAY)): RedrawCandidate => ({ origin, low_level_status: low, status_time: statusTime });

describe('openRedrawKind', () => {
  it.each(['ordered', 'requisition_created', 'appointment_scheduled', 'partial_results', 'brand_new_status', 'redraw_available'])(
    'calls a redraw order in %s a redraw in progress',
    (low) => {
      expect(openRedrawKind(candidate('redraw', low), true)).toBe('redraw_in_progress');
    },
  );

  it.each(['completed', 'corrected', 'cancelled', 'do_not_process', 'sample_error', 'lost'])('closes a redraw order that ended %s', (low) => {
    expect(openRedrawKind(candidate('redraw', low), true)).toBeNull();
  });

  it('calls an initial order in redraw_available awaiting its redraw while none is known', () => {
    expect(openRedrawKind(candidate('initial', 'redraw_available'), false)).toBe('awaiting_redraw');
  });

  it('closes an initial order in redraw_available once its redraw order is known', () => {
    expect(openRedrawKind(candidate('initial', 'redraw_available'), true)).toBeNull();
  });

  it.each([null, 'recreation', 'brand_new_origin'])('treats an order of origin %j in redraw_available as awaiting its redraw', (origin) => {
    expect(openRedrawKind(candidate(origin, 'redraw_available'), false)).toBe('awaiting_redraw');
  });

  it.each(['ordered', 'appointment_scheduled', 'completed', 'cancelled', 'sample_error'])('has nothing to act on for an initial order in %s', (low) => {
    expect(openRedrawKind(candidate('initial', low), false)).toBeNull();
    expect(openRedrawKind(candidate(null, low), false)).toBeNull();
  });
});

describe('staleReason', () => {
  const custom: StaleThresholds = { staleAfterDays: 2, missingAfterHours: 6 };

  it.each([
    ['default', DEFAULT_THRESHOLDS, 7 * DAY],
    ['custom', custom, 2 * DAY],
  ] as const)('flags a redraw in progress as no_progress only after the %s threshold', (_name, thresholds, threshold) => {
    expect(staleReason(candidate('redraw', 'requisition_created', before(threshold - 1)), true, NOW, thresholds)).toBeNull();
    expect(staleReason(candidate('redraw', 'requisition_created', before(threshold)), true, NOW, thresholds)).toBeNull();
    expect(staleReason(candidate('redraw', 'requisition_created', before(threshold + 1)), true, NOW, thresholds)).toBe('no_progress');
  });

  it.each([
    ['default', DEFAULT_THRESHOLDS, 24 * HOUR],
    ['custom', custom, 6 * HOUR],
  ] as const)('flags an initial order awaiting its redraw as redraw_not_created only after the %s threshold', (_name, thresholds, threshold) => {
    expect(staleReason(candidate('initial', 'redraw_available', before(threshold - 1)), false, NOW, thresholds)).toBeNull();
    expect(staleReason(candidate('initial', 'redraw_available', before(threshold)), false, NOW, thresholds)).toBeNull();
    expect(staleReason(candidate('initial', 'redraw_available', before(threshold + 1)), false, NOW, thresholds)).toBe('redraw_not_created');
  });

  it('flags a status time one microsecond past the cutoff but not one microsecond short of it', () => {
    const cutoff = before(7 * DAY);
    const oneMicroBefore = before(7 * DAY + 1).replace(/000Z$/, '999Z');
    const oneMicroAfter = cutoff.replace(/000Z$/, '001Z');
    expect(oneMicroBefore < cutoff && cutoff < oneMicroAfter).toBe(true);
    expect(staleReason(candidate('redraw', 'ordered', oneMicroBefore), true, NOW, DEFAULT_THRESHOLDS)).toBe('no_progress');
    expect(staleReason(candidate('redraw', 'ordered', oneMicroAfter), true, NOW, DEFAULT_THRESHOLDS)).toBeNull();
  });

  it('uses the threshold of its own reason: 2 days without a redraw is not no_progress', () => {
    expect(staleReason(candidate('redraw', 'ordered', before(2 * DAY)), true, NOW, DEFAULT_THRESHOLDS)).toBeNull();
    expect(staleReason(candidate('initial', 'redraw_available', before(2 * DAY)), false, NOW, DEFAULT_THRESHOLDS)).toBe('redraw_not_created');
  });

  it('never flags a redraw that ended, however old', () => {
    for (const low of ['completed', 'corrected', 'cancelled', 'do_not_process', 'sample_error', 'lost']) {
      expect(staleReason(candidate('redraw', low, before(365 * DAY)), true, NOW, DEFAULT_THRESHOLDS)).toBeNull();
    }
  });

  it('clears redraw_not_created once the redraw order is known', () => {
    const waiting = candidate('initial', 'redraw_available', before(30 * DAY));
    expect(staleReason(waiting, false, NOW, DEFAULT_THRESHOLDS)).toBe('redraw_not_created');
    expect(staleReason(waiting, true, NOW, DEFAULT_THRESHOLDS)).toBeNull();
  });

  it('never flags an initial order outside redraw_available', () => {
    expect(staleReason(candidate('initial', 'appointment_scheduled', before(365 * DAY)), false, NOW, DEFAULT_THRESHOLDS)).toBeNull();
  });

  it('flags exactly the open redraws whose status time is before their cutoff', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<string | null>('initial', 'redraw', 'recreation', null),
        fc.constantFrom('ordered', 'redraw_available', 'completed', 'sample_error', 'brand_new_status'),
        fc.boolean(),
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.record({ staleAfterDays: fc.integer({ min: 1, max: 30 }), missingAfterHours: fc.integer({ min: 1, max: 720 }) }),
        (origin, low, hasRedraw, age, thresholds) => {
          const order = candidate(origin, low, before(age));
          const kind = openRedrawKind(order, hasRedraw);
          const limit = kind === 'redraw_in_progress' ? thresholds.staleAfterDays * DAY : thresholds.missingAfterHours * HOUR;
          const expected = kind === null || age <= limit ? null : kind === 'redraw_in_progress' ? 'no_progress' : 'redraw_not_created';
          expect(staleReason(order, hasRedraw, NOW, thresholds)).toBe(expected);
        },
      ),
    );
  });
});

describe('staleCutoffs', () => {
  it('places both cutoffs their threshold before now, in canonical form', () => {
    expect(staleCutoffs(NOW, DEFAULT_THRESHOLDS)).toEqual({
      noProgressBefore: '2026-03-13T12:00:00.000000Z',
      redrawMissingBefore: '2026-03-19T12:00:00.000000Z',
    });
  });
});

describe('hasRedrawOrder', () => {
  it('is true only when some member has origin redraw', () => {
    expect(hasRedrawOrder([])).toBe(false);
    expect(hasRedrawOrder([{ origin: 'initial' }, { origin: null }, { origin: 'recreation' }])).toBe(false);
    expect(hasRedrawOrder([{ origin: 'initial' }, { origin: 'redraw' }])).toBe(true);
  });
});
