import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorize } from '../../../functions/core/status';
import { isAwaitingRedraw, transactionStatus, type TransactionMember, type TransactionStatus } from '../../../functions/core/transaction-status';

const initial = (low: string): TransactionMember => ({ origin: 'initial', low_level_status: low });
const redraw = (low: string): TransactionMember => ({ origin: 'redraw', low_level_status: low });
const recreation = (low: string): TransactionMember => ({ origin: 'recreation', low_level_status: low });
const legacy = (low: string): TransactionMember => ({ origin: null, low_level_status: low });

describe('transactionStatus (CONTRACT §3)', () => {
  const cases: [string, TransactionStatus, TransactionMember[]][] = [
    ['no member known yet', 'active', []],
    ['a single order in progress', 'active', [initial('appointment_scheduled')]],
    ['a single order just ordered', 'active', [initial('ordered')]],
    ['a single order completed', 'completed', [initial('completed')]],
    ['a single order corrected', 'completed', [initial('corrected')]],
    ['a single order failed (sample_error)', 'completed', [initial('sample_error')]],
    ['a single test kit lost', 'completed', [initial('lost')]],
    ['a test kit never delivered to the lab', 'completed', [initial('failure_to_deliver_to_lab')]],
    ['a test kit never delivered to the customer', 'completed', [initial('failure_to_deliver_to_customer')]],
    ['initial cancelled, no redraw', 'cancelled', [initial('cancelled')]],
    ['initial do_not_process, no redraw', 'cancelled', [initial('do_not_process')]],
    ['both cancelled', 'cancelled', [initial('cancelled'), redraw('cancelled')]],
    ['initial cancelled, redraw do_not_process', 'cancelled', [initial('cancelled'), redraw('do_not_process')]],
    ['initial redraw_available, no redraw known', 'active', [initial('redraw_available')]],
    ['initial redraw_available, redraw just ordered', 'active', [initial('redraw_available'), redraw('ordered')]],
    ['initial redraw_available, redraw in progress', 'active', [initial('redraw_available'), redraw('appointment_scheduled')]],
    ['initial redraw_available, redraw completed', 'completed', [initial('redraw_available'), redraw('completed')]],
    ['initial redraw_available, redraw corrected', 'completed', [initial('redraw_available'), redraw('corrected')]],
    ['initial redraw_available, redraw cancelled (results missing)', 'completed', [initial('redraw_available'), redraw('cancelled')]],
    ['initial redraw_available, redraw do_not_process', 'completed', [initial('redraw_available'), redraw('do_not_process')]],
    ['initial redraw_available, redraw sample_error', 'completed', [initial('redraw_available'), redraw('sample_error')]],
    ['initial redraw_available, redraw lost', 'completed', [initial('redraw_available'), redraw('lost')]],
    ['redraw listed before its initial order', 'completed', [redraw('completed'), initial('redraw_available')]],
    ['initial completed, redraw still in progress', 'active', [initial('completed'), redraw('requisition_created')]],
    ['initial cancelled, recreation in progress', 'active', [initial('cancelled'), recreation('ordered')]],
    ['initial cancelled, recreation completed', 'completed', [initial('cancelled'), recreation('completed')]],
    ['initial cancelled, recreation cancelled', 'cancelled', [initial('cancelled'), recreation('cancelled')]],
    ['recreation in redraw_available, no redraw', 'active', [initial('cancelled'), recreation('redraw_available')]],
    ['recreation in redraw_available, redraw completed', 'completed', [initial('cancelled'), recreation('redraw_available'), redraw('completed')]],
    ['an order without origin in redraw_available, no redraw', 'active', [legacy('redraw_available')]],
    ['an order without origin in redraw_available, redraw ended', 'completed', [legacy('redraw_available'), redraw('sample_error')]],
    ['an unknown status', 'active', [initial('brand_new_status')]],
    ['an unknown status beside ended ones', 'active', [initial('redraw_available'), redraw('completed'), recreation('brand_new_status')]],
    ['an unknown origin, completed', 'completed', [{ origin: 'brand_new_origin', low_level_status: 'completed' }]],
    // Junction says a redraw order never reaches redraw_available; if one does, it has not ended
    // (the sweep still treats it as an open redraw), so neither has its transaction.
    ['a redraw order reported in redraw_available', 'active', [initial('redraw_available'), redraw('redraw_available')]],
    ['only a redraw order, in redraw_available', 'active', [redraw('redraw_available')]],
  ];

  it.each(cases)('%s -> %s', (_case, expected, members) => {
    expect(transactionStatus(members)).toBe(expected);
  });

  it('counts a listing-only member (known from another order) like any other', () => {
    // A member's status comes from its own webhook or from a listing; the rule sees only the status.
    const fromListing = { origin: 'redraw', low_level_status: 'completed', source: 'transaction_listing' };
    const fromWebhook = { origin: 'initial', low_level_status: 'redraw_available', source: 'webhook' };
    expect(transactionStatus([fromWebhook, fromListing])).toBe('completed');
    expect(transactionStatus([fromWebhook, { ...fromListing, low_level_status: 'ordered' }])).toBe('active');
  });
});

describe('isAwaitingRedraw', () => {
  it('is true for a non-redraw order in redraw_available only', () => {
    expect(isAwaitingRedraw(initial('redraw_available'))).toBe(true);
    expect(isAwaitingRedraw(legacy('redraw_available'))).toBe(true);
    expect(isAwaitingRedraw(recreation('redraw_available'))).toBe(true);
    expect(isAwaitingRedraw(redraw('redraw_available'))).toBe(false);
    expect(isAwaitingRedraw(initial('completed'))).toBe(false);
  });
});

const STATUSES = [
  'ordered', 'requisition_created', 'appointment_scheduled', 'draw_completed', 'partial_results', 'brand_new_status',
  'redraw_available',
  'completed', 'corrected', 'cancelled', 'do_not_process', 'sample_error', 'lost', 'failure_to_deliver_to_lab', 'failure_to_deliver_to_customer',
];

function arbMembers(): fc.Arbitrary<TransactionMember[]> {
  return fc.array(
    fc.record({ origin: fc.constantFrom<string | null>('initial', 'redraw', 'recreation', null, 'brand_new_origin'), low_level_status: fc.constantFrom(...STATUSES) }),
    { maxLength: 5 },
  );
}

describe('transactionStatus properties', () => {
  it("is never 'completed' or 'cancelled' while some member is in progress", () => {
    fc.assert(
      fc.property(arbMembers(), (members) => {
        if (members.some((member) => categorize(member.low_level_status) === 'in_progress')) {
          expect(transactionStatus(members)).toBe('active');
        }
      }),
    );
  });

  it("is 'cancelled' exactly when there are members and every one is cancelled or do_not_process", () => {
    fc.assert(
      fc.property(arbMembers(), (members) => {
        const allCancelled = members.length > 0 && members.every((member) => ['cancelled', 'do_not_process'].includes(member.low_level_status));
        expect(transactionStatus(members) === 'cancelled').toBe(allCancelled);
      }),
    );
  });

  it('does not depend on the order of its members', () => {
    const scenario = arbMembers().chain((members) => fc.tuple(fc.constant(members), fc.shuffledSubarray(members, { minLength: members.length, maxLength: members.length })));
    fc.assert(
      fc.property(scenario, ([members, shuffled]) => {
        expect(transactionStatus(shuffled)).toBe(transactionStatus(members));
      }),
    );
  });

  it("is 'active' while an order awaits its redraw and no redraw order has ended", () => {
    fc.assert(
      fc.property(arbMembers(), (members) => {
        const awaiting = members.some(isAwaitingRedraw);
        const redrawEnded = members.some((member) => member.origin === 'redraw' && ['completed', 'corrected', 'cancelled', 'do_not_process', 'sample_error', 'lost', 'failure_to_deliver_to_lab', 'failure_to_deliver_to_customer'].includes(member.low_level_status));
        if (awaiting && !redrawEnded) expect(transactionStatus(members)).toBe('active');
      }),
    );
  });
});
