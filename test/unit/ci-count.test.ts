/**
 * `.ci/run`'s count line (test/support/ci-count.ts). The reports are the shapes vitest's JSON
 * reporter wrote for three files run together: a `beforeAll` that throws (its tests "skipped"),
 * an import that fails (no tests), and a failed assertion beside a passed one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciCount, ciCountOfFile } from '../support/ci-count';

const passedFile = { status: 'passed', assertionResults: [{ status: 'passed' }, { status: 'passed' }] };
const hookFailed = { status: 'failed', assertionResults: [{ status: 'skipped' }, { status: 'skipped' }] };
const importFailed = { status: 'failed', assertionResults: [] };
const assertionFailed = { status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'failed' }] };

describe('ciCount', () => {
  it('counts the tests of a file whose hook failed as failed, not skipped', () => {
    const count = ciCount({ numPassedTests: 2, numFailedTests: 0, numPendingTests: 2, testResults: [passedFile, hookFailed] });
    expect(count).toEqual({ line: '2 passed, 2 failed', ok: false });
  });

  it('counts a file that could not be imported as one failed', () => {
    expect(ciCount({ numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, testResults: [passedFile, importFailed] })).toEqual({ line: '2 passed, 1 failed', ok: false });
  });

  it('counts a failed file with every test passed (its afterAll failed) as one failed', () => {
    expect(ciCount({ numPassedTests: 2, numFailedTests: 0, testResults: [{ ...passedFile, status: 'failed' }] }).line).toBe('2 passed, 1 failed');
  });

  it('adds them to the failed assertions and keeps a skip outside a failed file as skipped', () => {
    const skippedFile = { status: 'skipped', assertionResults: [{ status: 'skipped' }] };
    const report = { numPassedTests: 3, numFailedTests: 1, numPendingTests: 3, numTodoTests: 1, testResults: [passedFile, hookFailed, importFailed, assertionFailed, skippedFile] };
    expect(ciCount(report)).toEqual({ line: '3 passed, 4 failed, 2 skipped', ok: false });
  });

  it('is green only when tests passed and none failed', () => {
    expect(ciCount({ numPassedTests: 2, numFailedTests: 0, testResults: [passedFile] })).toEqual({ line: '2 passed, 0 failed', ok: true });
    expect(ciCount({ numPassedTests: 0, numFailedTests: 0, testResults: [] })).toEqual({ line: '0 passed, 0 failed', ok: false });
  });

  it('reads the report from its file, and a missing report is a run with no test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-count-'));
    const file = join(dir, 'vitest.json');
    expect(ciCountOfFile(file)).toEqual({ line: '0 passed, 0 failed', ok: false });
    writeFileSync(file, JSON.stringify({ numPassedTests: 1, numFailedTests: 0, numPendingTests: 2, testResults: [{ status: 'passed', assertionResults: [{ status: 'passed' }] }, hookFailed] }));
    expect(ciCountOfFile(file)).toEqual({ line: '1 passed, 2 failed', ok: false });
  });
});
