/**
 * Reading the console's follow-up page in Chromium, for the browser tests that
 * work follow-ups through it (test/browser/console-shift, -follow-up-first-screen).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The follow-up's page has drawn it and read its queue. */
export async function shown(page: Page, id: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: `Follow-up ${id}` }).waitFor();
  await page.getByText('Version').waitFor();
  await page.locator('#next-in-queue, #end-of-queue').first().waitFor();
}

/**
 * After an action: the answer is announced (within `timeoutMs`) and the focus is on it (the top of the
 * page), never the page's body.
 */
export async function answered(page: Page, words: string, timeoutMs = 15_000): Promise<void> {
  await page
    .getByRole('status')
    .filter({ hasText: words })
    .waitFor({ timeout: timeoutMs })
    .catch(async (error: unknown) => {
      throw new Error(`no "${words}": ${String(error)}\n${await page.locator('main').innerText()}`);
    });
  await page.waitForFunction("document.activeElement?.id === 'action-result'");
  expect(await page.evaluate<boolean>('document.activeElement === document.body')).toBe(false);
}
