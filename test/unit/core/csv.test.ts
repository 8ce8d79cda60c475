/**
 * functions/core/csv.ts (CONTRACT §12): RFC 4180 (CRLF line ends, a field with
 * `"`, `,`, CR or LF quoted, `"` doubled), a header row, UTF-8 text, and the
 * `'` before a cell a spreadsheet would run as a formula, put there before quoting.
 */
import { describe, expect, it } from 'vitest';
import { csvCell, csvFileName, csvOf, tableCsv } from '../../../functions/core/csv';

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

describe('csvFileName', () => {
  it('names the file by what it holds and the UTC day it was made', () => {
    expect(csvFileName('report-counts', new Date('2026-11-27T23:30:00Z'))).toBe('report-counts-2026-11-27.csv');
  });
});
