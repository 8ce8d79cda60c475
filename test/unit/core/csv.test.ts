/**
 * functions/core/csv.ts (CONTRACT §12): RFC 4180 (CRLF line ends, a field with
 * `"`, `,`, CR or LF quoted, `"` doubled), a header row, UTF-8 text, and the
 * `'` before a cell a spreadsheet would run as a formula, put there before quoting.
 */
import { describe, expect, it } from 'vitest';
import { BYTE_ORDER_MARK, csvCell, csvFileName, csvOf, dayIn, fileNamePart, localColumn, tableCsv, timeCells, timeColumns } from '../../../functions/core/csv';

describe('csvOf', () => {
  it('writes the header row first, every line ended by CRLF', () => {
    expect(csvOf(['What', 'Count'], [['Opened', 3], ['Closed', 0]])).toBe('What,Count\r\nOpened,3\r\nClosed,0\r\n');
  });

  it('writes the header row alone for a table without rows', () => {
    expect(csvOf(['Lab', 'Method'], [])).toBe('Lab,Method\r\n');
  });

  it('quotes a field holding a quote, a comma, a CR or an LF, doubling its quotes, and leaves the others bare', () => {
    expect(csvOf(['a', 'b'], [['say "hi"', 'x,y'], ['line\nbreak', 'carriage\rreturn'], ['plain', '']])).toBe(
      'a,b\r\n"say ""hi""","x,y"\r\n"line\nbreak","carriage\rreturn"\r\nplain,\r\n',
    );
  });

  it('keeps UTF-8 text as it is (the bytes a Blob or stdout writes are its UTF-8)', () => {
    const text = csvOf(['Durée', 'p50 · p90'], [['12.5 h · 6.3 days', '…']]);
    expect(text).toBe('Durée,p50 · p90\r\n12.5 h · 6.3 days,…\r\n');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(text))).toBe(text);
  });

  it('writes a table by its header and rows', () => {
    expect(tableCsv({ name: 'aging', header: ['Days open', 'Open follow-ups'], rows: [['0-7 days', 2]] })).toBe('Days open,Open follow-ups\r\n0-7 days,2\r\n');
  });
});

describe('csvCell: the formula prefix', () => {
  it.each([
    ['=', '=1+1', "'=1+1"],
    ['+', '+1', "'+1"],
    ['-', '-1', "'-1"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab', '\tx', "'\tx"],
  ])('puts a quote mark before a cell that starts with %s', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('puts the quote mark before a cell that starts with a carriage return, then quotes the field (prefix first)', () => {
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('prefixes before quoting, so the quote mark is inside the quotes', () => {
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell('-a,b')).toBe(`"'-a,b"`);
  });

  it('leaves a formula character that is not first, and numbers, alone (a negative number is no cell of these tables)', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('x@y.z')).toBe('x@y.z');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('')).toBe('');
  });

  it('escapes a handle that starts with = in a whole file', () => {
    expect(csvOf(['Owner'], [['=1+1'], ['ana.lopez']])).toBe("Owner\r\n'=1+1\r\nana.lopez\r\n");
  });
});

describe('file names', () => {
  it('names the file by what it holds and the days it spans', () => {
    expect(csvFileName('report-by-lab', '2026-10-31-to-2026-11-28')).toBe('report-by-lab-2026-10-31-to-2026-11-28.csv');
    expect(csvFileName('worklist-open-owner-j.doe', dayIn(new Date('2026-11-28T12:00:00Z'), 'UTC'))).toBe('worklist-open-owner-j.doe-2026-11-28.csv');
  });

  it('takes the day in the zone given: 23:30 in New York is the next day in UTC', () => {
    const at = new Date('2026-11-28T04:30:00Z');
    expect(dayIn(at, 'UTC')).toBe('2026-11-28');
    expect(dayIn(at, 'America/New_York')).toBe('2026-11-27');
  });

  it('makes a filter value safe for a file name: letters, digits, . _ - kept, any other run one _, no leading dot', () => {
    expect(fileNamePart('j.doe')).toBe('j.doe');
    expect(fileNamePart('=1+1')).toBe('_1_1');
    expect(fileNamePart('ehr:Practitioner/123')).toBe('ehr_Practitioner_123');
    expect(fileNamePart('../etc')).toBe('__etc');
    expect(fileNamePart('a b\\c"d')).toBe('a_b_c_d');
  });
});

describe('time columns (CONTRACT §12: YYYY-MM-DD HH:MM in UTC, a twin in a zone named in its header)', () => {
  it('names the twin by the zone, lower-cased, / and - as _', () => {
    expect(timeColumns('due', 'America/New_York')).toEqual(['due_utc', 'due_local_america_new_york']);
    expect(localColumn('closed', 'America/Port-au-Prince')).toBe('closed_local_america_port_au_prince');
    expect(localColumn('due', 'Etc/GMT+5')).toBe('due_local_etc_gmt_5');
    expect(localColumn('due', 'UTC')).toBe('due_local_utc');
  });

  it('writes whole minutes, seconds and microseconds dropped, in UTC and in the zone (standard and summer time)', () => {
    expect(timeCells('2026-11-24T15:00:59.999999Z', 'America/New_York')).toEqual(['2026-11-24 15:00', '2026-11-24 10:00']);
    expect(timeCells('2026-07-01T03:07:00Z', 'America/New_York')).toEqual(['2026-07-01 03:07', '2026-06-30 23:07']);
    expect(timeCells('2026-11-24T23:30:00+00:00', 'Asia/Kolkata')).toEqual(['2026-11-24 23:30', '2026-11-25 05:00']);
    expect(timeCells('2026-11-24T00:00:00Z', 'Europe/London')).toEqual(['2026-11-24 00:00', '2026-11-24 00:00']);
  });

  it('leaves both cells empty for none, or for text that is no time', () => {
    expect(timeCells(null, 'UTC')).toEqual(['', '']);
    expect(timeCells(undefined, 'UTC')).toEqual(['', '']);
    expect(timeCells('', 'UTC')).toEqual(['', '']);
    expect(timeCells('soon', 'UTC')).toEqual(['', '']);
  });
});

describe('the byte-order mark', () => {
  it('is U+FEFF, three bytes of UTF-8 (EF BB BF), and no table carries it: the console adds it to a file, the CLI never to stdout', () => {
    expect([...new TextEncoder().encode(BYTE_ORDER_MARK)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(tableCsv({ name: 'x', header: ['a'], rows: [] }).startsWith(BYTE_ORDER_MARK)).toBe(false);
  });
});
