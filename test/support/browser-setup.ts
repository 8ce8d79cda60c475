/**
 * The set-up of a browser test file (test/browser/*), apart from
 * test/support/browser.ts, which the bench imports outside vitest.
 */
import { beforeAll, beforeEach } from 'vitest';

/**
 * A browser file's `beforeAll`, except that a setup that throws fails each of
 * the file's tests with its error instead of leaving them "skipped": vitest
 * counts the tests of a file whose beforeAll threw as skipped (only the file
 * fails), which is how a machine without Chromium once reported 48 skipped
 * browser tests. The browser layer never skips.
 */
export function beforeAllOrFailEach(setup: () => Promise<void>, timeoutMs?: number): void {
  let failure: { error: unknown } | null = null;
  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      failure = { error };
    }
  }, timeoutMs);
  beforeEach(() => {
    if (failure !== null) throw failure.error;
  });
}
