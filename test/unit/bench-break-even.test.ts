/**
 * Issue 76's prices and break-even refused share (bench/break-even.ts), and how
 * section m tells a delivery's class (bench/delivery-classes.ts): a
 * transaction's index writes priced 1x or 2x, the ratio's line between all
 * accepted and all refused, where it crosses 1.0 and which side is the
 * tracker's.
 */
import { describe, expect, it } from 'vitest';
import { breakEvenShare, breakEvenText, dollarsOf, dollarsOfAll, isTransactionalWrite, ratioAtShare } from '../../bench/break-even';
import { classifying, commonClassifier, emptyClasses, trackerClass } from '../../bench/delivery-classes';
import { meterScope } from '../../bench/meter';

describe('the prices of a transaction’s index writes', () => {
  it('prices a transactional write’s index units 1x or 2x, and any other write’s the same at both', () => {
    const units = { write: 3, index: 1, refused: 1, read: 2 };
    expect(isTransactionalWrite('stream TransactWriteItems FOLLOWUP#')).toBe(true);
    expect(isTransactionalWrite('TransactWrite FOLLOWUP#')).toBe(true);
    expect(isTransactionalWrite('stream PutItem TXN#')).toBe(false);
    expect(dollarsOf('TransactWriteItems FOLLOWUP#', units, 1)).toBeCloseTo(4 * 0.625 + 2 * 0.125);
    expect(dollarsOf('TransactWriteItems FOLLOWUP#', units, 2)).toBeCloseTo(5 * 0.625 + 2 * 0.125);
    expect(dollarsOf('PutItem ORDER#', units, 2)).toBe(dollarsOf('PutItem ORDER#', units, 1));
    expect(dollarsOfAll({ 'PutItem ORDER#': { ...units, requests: 1 }, 'TransactWriteItems X#': { ...units, requests: 1 } }, 2)).toBeCloseTo(2.75 + 3.375);
  });
});

describe('the break-even refused share', () => {
  it('finds where the ratio crosses 1.0 when the tracker is cheaper on accepted deliveries and dearer on refused ones', () => {
    const tracker = { accepted: 1.8, refused: 0.625 };
    const common = { accepted: 2.0, refused: 0.0625 };
    const breakEven = breakEvenShare(tracker, common);
    expect(breakEven.trackerCheaper).toBe('below');
    expect(ratioAtShare(tracker, common, breakEven.share!)).toBeCloseTo(1, 2);
    expect(ratioAtShare(tracker, common, 0)).toBeCloseTo(0.9);
    expect(breakEven).toMatchObject({ share: 0.262, ratioAllAccepted: 0.9, ratioAllRefused: 10 });
    expect(breakEvenText(breakEven)).toBe('break-even refused share 26.2%: the tracker costs less below it (x0.9 with every delivery accepted, x10 with every one refused)');
  });

  it('says the other side when the tracker is dearer on accepted deliveries and cheaper on refused ones', () => {
    const breakEven = breakEvenShare({ accepted: 2.2, refused: 0.6 }, { accepted: 2, refused: 1 });
    expect(breakEven).toMatchObject({ share: 0.333, trackerCheaper: 'above' });
  });

  it('says plainly when there is no share in [0, 1]', () => {
    expect(breakEvenShare({ accepted: 1, refused: 0.5 }, { accepted: 2, refused: 1 })).toMatchObject({ share: null, trackerCheaper: 'everywhere' });
    const dearer = breakEvenShare({ accepted: 3, refused: 2 }, { accepted: 2, refused: 1 });
    expect(dearer).toMatchObject({ share: null, trackerCheaper: 'nowhere' });
    expect(breakEvenText(dearer)).toMatch(/^no break-even share in \[0, 1\]: the tracker costs more at any refused share/);
  });

  it('weighs the two classes by the share: the whole stream’s ratio at its own refused share', () => {
    // 6 accepted, 4 refused: tracker 6 x 2 + 4 x 1 = 16, common 6 x 2.5 + 4 x 0.5 = 17.
    expect(ratioAtShare({ accepted: 2, refused: 1 }, { accepted: 2.5, refused: 0.5 }, 0.4)).toBeCloseTo(16 / 17);
  });
});

describe('a delivery’s class', () => {
  it('is the tracker’s answer: applied is accepted, duplicate, stale or a failure refused', () => {
    expect(trackerClass({ body: '{"result":"applied"}' })).toBe('accepted');
    expect(trackerClass({ body: '{"result":"duplicate"}' })).toBe('refused');
    expect(trackerClass({ body: '{"result":"stale"}' })).toBe('refused');
    expect(trackerClass(undefined)).toBe('refused');
  });

  it('is, for the common approach, the stream’s class of an svix-id’s first call answered 2xx; every other call is refused', () => {
    const classify = commonClassifier([
      { svixId: 'a', orderId: 'o', eventId: 2 },
      { svixId: 'b', orderId: 'o', eventId: 1 },
      { svixId: 'a', orderId: 'o', eventId: 2 },
    ]);
    const call = (svixId: string, statusCode: number) => classify({ headers: { 'svix-id': svixId } }, { statusCode });
    // The first call of a meets another one of a in progress (a 5xx): the one answered 200 is the accepted delivery.
    expect([call('a', 500), call('a', 200), call('b', 200), call('a', 200)]).toEqual(['refused', 'accepted', 'refused', 'refused']);
  });

  it('gets the units of the requests made while answering it, whatever else is answered meanwhile', async () => {
    const classes = emptyClasses();
    // A stand-in for the meter's middleware: what a request adds to the scope it runs in.
    const request = async (operation: string, write: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const scope = meterScope.getStore()!;
      scope[operation] = { write, index: 0, refused: 0, read: 0, requests: 1 };
    };
    const handler = classifying(
      async (event: { headers: Record<string, string> }) => {
        await request(`PutItem ${event.headers.id}`, event.headers.id === 'a' ? 1 : 2);
        return { statusCode: 200, body: JSON.stringify({ result: event.headers.id === 'a' ? 'applied' : 'stale' }) };
      },
      classes,
      (_event, answer) => trackerClass(answer),
    );
    await Promise.all([handler({ headers: { id: 'a' } }, {}), handler({ headers: { id: 'b' } }, {})]);
    expect(classes.accepted).toEqual({ deliveries: 1, byOperation: { 'PutItem a': { write: 1, index: 0, refused: 0, read: 0, requests: 1 } } });
    expect(classes.refused).toEqual({ deliveries: 1, byOperation: { 'PutItem b': { write: 2, index: 0, refused: 0, read: 0, requests: 1 } } });
  });

  it('adds a call answered non-2xx to its class’s units, not to its deliveries (the delivery counts once, when answered), and keeps it apart too', async () => {
    const classes = emptyClasses();
    let calls = 0;
    const handler = classifying(
      async () => {
        meterScope.getStore()!['PutItem id'] = { write: 0, index: 0, refused: 1, read: 0, requests: 1 };
        return { statusCode: ++calls === 1 ? 500 : 200 };
      },
      classes,
      () => 'refused',
    );
    await handler({ headers: {} }, {});
    await handler({ headers: {} }, {});
    expect(classes.refused.deliveries).toBe(1);
    expect(classes.refused.byOperation['PutItem id']).toEqual({ write: 0, index: 0, refused: 2, read: 0, requests: 2 });
    expect(classes.retried).toEqual({ deliveries: 1, byOperation: { 'PutItem id': { write: 0, index: 0, refused: 1, read: 0, requests: 1 } } });
  });
});
