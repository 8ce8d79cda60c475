/**
 * `.ci/run`'s last line, `N passed, N failed[, N skipped]`, from vitest's JSON report.
 *
 * A file can fail with no failed test in it: a `beforeAll` that throws or times out leaves its
 * tests "skipped", and a file that cannot be imported has none. vitest's own `numFailedTests`
 * counts neither, so a run with such a file read "4069 passed, 0 failed, 3 skipped" (session 44,
 * a stand-in's start past its hook's 30 s under load). Here each test of such a file that did not
 * pass is failed, and a file with none counts as one failed.
 */
import { readFileSync, existsSync } from 'node:fs';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

export interface CiCount {
  line: string;
  /** False when no test ran or any failed: the run is red. */
  ok: boolean;
}

export function ciCount(report: JsonReport): CiCount {
  let failed = report.numFailedTests;
  let skippedInFailedFiles = 0;
  for (const file of report.testResults) {
    if (file.status !== 'failed' || file.assertionResults.some((test) => test.status === 'failed')) continue;
    const notPassed = file.assertionResults.filter((test) => test.status !== 'passed').length;
    failed += Math.max(1, notPassed);
    skippedInFailedFiles += notPassed;
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0) - skippedInFailedFiles;
  const line = `${report.numPassedTests} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
  return { line, ok: failed === 0 && report.numPassedTests > 0 };
}

/** The count of the report at `file`; a missing report is a run in which no test ran. */
export function ciCountOfFile(file: string): CiCount {
  if (!existsSync(file)) return { line: '0 passed, 0 failed', ok: false };
  return ciCount(JSON.parse(readFileSync(file, 'utf8')) as JsonReport);
}
