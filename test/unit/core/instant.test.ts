import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFromDate, canonicalInstant, instantMillis } from '../../../functions/core/instant';

describe('canonicalInstant', () => {
  it.each([
    ['2023-09-01T18:02:41Z', '2023-09-01T18:02:41.000000Z'],
    ['2023-09-01T18:02:41z', '2023-09-01T18:02:41.000000Z'],
    ['2023-09-01T18:02:41+00:00', '2023-09-01T18:02:41.000000Z'],
    ['2023-09-01T18:02:41-00:00', '2023-09-01T18:02:41.000000Z'],
    ['2023-09-01T18:02:41-05:00', '2023-09-01T23:02:41.000000Z'],
    ['2023-09-01T18:02:41+0530', '2023-09-01T12:32:41.000000Z'],
    ['2023-09-01T18:02:41+05:30', '2023-09-01T12:32:41.000000Z'],
    ['2023-12-31T22:30:00-05:00', '2024-01-01T03:30:00.000000Z'],
    ['2023-09-01 18:02:41Z', '2023-09-01T18:02:41.000000Z'],
  ])('normalises %s to UTC with six fraction digits', (input, expected) => {
    expect(canonicalInstant(input)).toBe(expected);
  });

  it('reads a date-time without a zone as UTC', () => {
    expect(canonicalInstant('2023-09-01T18:02:41')).toBe('2023-09-01T18:02:41.000000Z');
  });

  it.each([
    ['', '000000'],
    ['.1', '100000'],
    ['.12', '120000'],
    ['.123', '123000'],
    ['.1234', '123400'],
    ['.12345', '123450'],
    ['.123456', '123456'],
    ['.1234567', '123456'],
    ['.12345678', '123456'],
    ['.123456789', '123456'],
  ])('keeps the fraction "%s" to microsecond precision', (fraction, micros) => {
    expect(canonicalInstant(`2023-09-01T18:02:41${fraction}Z`)).toBe(`2023-09-01T18:02:41.${micros}Z`);
  });

  it("keeps the microseconds of Junction's test kit example", () => {
    expect(canonicalInstant('2023-09-01T18:02:41.210495+00:00')).toBe('2023-09-01T18:02:41.210495Z');
  });

  it.each([
    '',
    'not a date',
    '2023-09-01',
    '2023-09-01T18:02',
    '2023-9-1T18:02:41Z',
    '2023-09-01T18:02:41.Z',
    '2023-09-01T18:02:41.1234567890Z',
    '2023-09-01T18:02:41+5',
    '2023-09-01T18:02:41 +05:00',
    ' 2023-09-01T18:02:41Z',
    '2023-09-01T18:02:41Z ',
    '2023-09-01T18:02:41ZZ',
    '1700000000',
  ])('rejects the malformed value %j', (input) => {
    expect(canonicalInstant(input)).toBeNull();
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2023-02-30T10:00:00Z',
    '2023-02-30T10:00:00-05:00',
    '2023-02-31T10:00:00+0530',
    '2023-04-31T00:00:00+01:00',
    '2023-13-01T00:00:00Z',
    '2023-00-10T00:00:00Z',
    '2023-01-00T00:00:00Z',
    '2023-01-01T24:00:00Z',
    '2023-01-01T24:00:00+01:00',
    '2023-01-01T10:60:00Z',
    '2023-01-01T23:59:60Z',
    '2023-01-01T23:59:60+01:00',
    '2023-01-01T00:00:00+25:00',
    '2023-01-01T00:00:00+01:60',
  ])('rejects the impossible date-time %s whatever its offset', (input) => {
    expect(canonicalInstant(input)).toBeNull();
  });

  it('accepts February 29th of a leap year with an offset', () => {
    expect(canonicalInstant('2024-02-29T00:00:00-05:00')).toBe('2024-02-29T05:00:00.000000Z');
  });

  it('rejects instants outside 1970..9999 in UTC, offsets included', () => {
    expect(canonicalInstant('1969-12-31T23:59:59Z')).toBeNull();
    expect(canonicalInstant('1970-01-01T00:30:00+01:00')).toBeNull();
    expect(canonicalInstant('9999-12-31T23:00:00-05:00')).toBeNull();
    expect(canonicalInstant('1970-01-01T00:00:00Z')).toBe('1970-01-01T00:00:00.000000Z');
    expect(canonicalInstant('9999-12-31T23:59:59.999999Z')).toBe('9999-12-31T23:59:59.999999Z');
  });

  it('is idempotent: a canonical instant is its own canonical form', () => {
    fc.assert(
      fc.property(arbInstantText(), ({ text }) => {
        const canonical = canonicalInstant(text);
        expect(canonical).not.toBeNull();
        expect(canonicalInstant(canonical ?? '')).toBe(canonical);
      }),
    );
  });

  it('orders canonical instants as text exactly as they are ordered in time', () => {
    fc.assert(
      fc.property(arbInstantText(), arbInstantText(), (a, b) => {
        const textA = canonicalInstant(a.text);
        const textB = canonicalInstant(b.text);
        expect(textA).not.toBeNull();
        expect(textB).not.toBeNull();
        expect(Math.sign(compareText(textA ?? '', textB ?? ''))).toBe(Math.sign(compareMicros(a.micros, b.micros)));
      }),
    );
  });
});

describe('instantMillis', () => {
  it('gives the epoch milliseconds of an instant with an offset', () => {
    expect(instantMillis('2023-09-01T18:02:41.210495+00:00')).toBe(Date.UTC(2023, 8, 1, 18, 2, 41, 210));
  });

  it('throws a RangeError that does not echo the value', () => {
    expect(() => instantMillis('CANARY-not-a-date')).toThrow(RangeError);
    expect(() => instantMillis('CANARY-not-a-date')).not.toThrow(/CANARY/);
  });
});

describe('canonicalFromDate', () => {
  it('pads millisecond precision to six digits', () => {
    expect(canonicalFromDate(new Date('2023-09-01T18:02:41.210Z'))).toBe('2023-09-01T18:02:41.210000Z');
  });

  it('agrees with canonicalInstant for any date in range', () => {
    fc.assert(
      fc.property(arbDate(), (date) => {
        expect(canonicalFromDate(date)).toBe(canonicalInstant(date.toISOString()));
      }),
    );
  });
});

/** A moment with microsecond precision and one way Junction might write it. */
interface InstantText {
  /** Microseconds since the epoch, as a bigint (exact). */
  micros: bigint;
  text: string;
}

function arbDate(): fc.Arbitrary<Date> {
  // Offsets up to 14 h must not push the UTC instant out of 1970..9999.
  return fc.date({ min: new Date('1970-01-02T00:00:00.000Z'), max: new Date('9999-12-30T23:59:59.999Z'), noInvalidDate: true });
}

function arbInstantText(): fc.Arbitrary<InstantText> {
  return fc
    .record({
      date: arbDate(),
      extraMicros: fc.integer({ min: 0, max: 999 }),
      // The fraction as written: 0..9 digits (digits past the sixth are nanoseconds, dropped).
      fractionDigits: fc.integer({ min: 0, max: 9 }),
      nanos: fc.integer({ min: 0, max: 999 }),
      offsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
      zoneStyle: fc.constantFrom('Z', 'colon', 'compact', 'none'),
    })
    .map(({ date, extraMicros, fractionDigits, nanos, offsetMinutes, zoneStyle }) => {
      const offset = zoneStyle === 'Z' || zoneStyle === 'none' ? 0 : offsetMinutes;
      const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
      const allDigits = `${date.toISOString().slice(20, 23)}${String(extraMicros).padStart(3, '0')}${String(nanos).padStart(3, '0')}`;
      const written = allDigits.slice(0, fractionDigits);
      const micros = BigInt(Math.floor(date.getTime() / 1000)) * 1_000_000n + BigInt(written.padEnd(6, '0').slice(0, 6));
      const sign = offset < 0 ? '-' : '+';
      const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
      const mm = String(Math.abs(offset) % 60).padStart(2, '0');
      const zone = { Z: 'Z', none: '', colon: `${sign}${hh}:${mm}`, compact: `${sign}${hh}${mm}` }[zoneStyle];
      return { micros, text: `${local}${written ? `.${written}` : ''}${zone}` };
    });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareMicros(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
