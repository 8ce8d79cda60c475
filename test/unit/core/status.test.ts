import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorize, highLevelOf, isEnding, parseStatus } from '../../../functions/core/status';

describe('parseStatus', () => {
  it('splits HIGH.METHOD.LOW', () => {
    expect(parseStatus('received.walk_in_test.ordered')).toEqual({ high: 'received', method: 'walk_in_test', low: 'ordered' });
  });

  it('keeps inner dots in the method when there are more than three parts', () => {
    expect(parseStatus('a.b.c.d')).toEqual({ high: 'a', method: 'b.c', low: 'd' });
  });

  it('reads a two-part status as HIGH.LOW without a method', () => {
    expect(parseStatus('completed.corrected')).toEqual({ high: 'completed', method: null, low: 'corrected' });
  });

  it('reads a status without dots as its own high and low level', () => {
    expect(parseStatus('completed')).toEqual({ high: 'completed', method: null, low: 'completed' });
  });

  it('takes the last part as the low level for any dotted status', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z_]{1,12}$/), { minLength: 1, maxLength: 5 }), (parts) => {
        expect(parseStatus(parts.join('.')).low).toBe(parts[parts.length - 1]);
        expect(parseStatus(parts.join('.')).high).toBe(parts[0]);
      }),
    );
  });
});

describe('categorize', () => {
  it.each([
    ['completed', 'done'],
    ['corrected', 'done'],
    ['cancelled', 'cancelled'],
    ['do_not_process', 'cancelled'],
    ['sample_error', 'failed'],
    ['lost', 'failed'],
    ['failure_to_deliver_to_lab', 'failed'],
    ['failure_to_deliver_to_customer', 'failed'],
  ] as const)('puts the ending state %s in %s', (low, category) => {
    expect(categorize(low)).toBe(category);
    expect(isEnding(low)).toBe(true);
  });

  it('keeps redraw_available apart: it ends the initial order but is not an ending state', () => {
    expect(categorize('redraw_available')).toBe('redraw_available');
    expect(isEnding('redraw_available')).toBe(false);
  });

  it.each(['ordered', 'requisition_created', 'appointment_scheduled', 'draw_completed', 'partial_results', 'delivered_to_lab', 'appointment_cancelled'])(
    'treats the documented non-ending status %s as in progress',
    (low) => {
      expect(categorize(low)).toBe('in_progress');
      expect(isEnding(low)).toBe(false);
    },
  );

  it.each(['some_future_status', '', 'COMPLETED', 'completed.walk_in_test.completed', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'treats the unknown status %j as in progress (inherited object keys included)',
    (low) => {
      expect(categorize(low)).toBe('in_progress');
    },
  );

  it('treats every string outside the ending list as in progress', () => {
    const known = new Set(['completed', 'corrected', 'cancelled', 'do_not_process', 'sample_error', 'lost', 'failure_to_deliver_to_lab', 'failure_to_deliver_to_customer', 'redraw_available']);
    fc.assert(
      fc.property(fc.string().filter((value) => !known.has(value)), (low) => {
        expect(categorize(low)).toBe('in_progress');
      }),
    );
  });
});

describe('highLevelOf', () => {
  it.each([
    ['ordered', 'received'],
    ['requisition_created', 'received'],
    ['awaiting_registration', 'received'],
    ['appointment_scheduled', 'collecting_sample'],
    ['redraw_available', 'collecting_sample'],
    ['transit_lab', 'collecting_sample'],
    ['partial_results', 'sample_with_lab'],
    ['delivered_to_lab', 'sample_with_lab'],
    ['completed', 'completed'],
    ['corrected', 'completed'],
    ['cancelled', 'cancelled'],
    ['do_not_process', 'cancelled'],
    ['sample_error', 'failed'],
    ['failure_to_deliver_to_customer', 'failed'],
  ])('derives the high level of %s as %s', (low, high) => {
    expect(highLevelOf(low, 'walk_in_test')).toBe(high);
  });

  it('derives draw_completed from the collection method', () => {
    expect(highLevelOf('draw_completed', 'on_site_collection')).toBe('sample_with_lab');
    expect(highLevelOf('draw_completed', 'at_home_phlebotomy')).toBe('collecting_sample');
    expect(highLevelOf('draw_completed', null)).toBe('collecting_sample');
  });

  it.each(['some_future_status', 'toString', '__proto__', ''])('answers unknown for the unknown status %j', (low) => {
    expect(highLevelOf(low, 'walk_in_test')).toBe('unknown');
  });
});
