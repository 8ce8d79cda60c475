/**
 * The missing-results chapter of `npm run simulate` (local/simulator/missing.ts)
 * against `npm start`'s code in process (this run's DynamoDB Local, each runtime
 * its own table), with FOLLOW_UP_MISSING_RESULTS on and off.
 *
 * Off, the tracker opens no follow-up for X, Y and Z, and the chapter must say
 * so as soon as the tracker has published their transactions' ends, not after
 * its whole settle time: the settle time here (10 minutes) is far past the
 * test's limit, so a chapter that waits it out fails. On, the same shortcut must
 * not cut the wait short: X, Y and Z end with their follow-ups open.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { runMissingResultsChapter } from '../../local/simulator/missing';
import { localEndpoint } from '../support/dynamodb';
import { captureOutput, newSecret } from '../support/webhook';

const secret = newSecret();
const runtimes: LocalRuntime[] = [];
let output: ReturnType<typeof captureOutput>;

beforeAll(() => {
  // The runtimes' logs go to stdout: kept out of the test report.
  output = captureOutput();
});

afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop();
  output?.restore();
});

async function start(missingResults: 'on' | 'off'): Promise<LocalRuntime> {
  const runtime = await startLocalRuntime(
    parseLocalSettings({
      PORT: '0',
      DYNAMODB_ENDPOINT: localEndpoint(),
      TABLE_NAME: `simulator-missing-${missingResults}-${randomUUID()}`,
      JUNCTION_WEBHOOK_SECRET: secret,
      SWEEP_INTERVAL_SECONDS: '86400',
      FOLLOW_UP_MISSING_RESULTS: missingResults,
    }),
  );
  runtimes.push(runtime);
  return runtime;
}

async function chapter(runtime: LocalRuntime): Promise<{ ok: boolean; opensNoRedraw: boolean; printed: string }> {
  const lines: string[] = [];
  const result = await runMissingResultsChapter({ base: runtime.url, secret, now: new Date(), settleTimeoutMs: 10 * 60_000, print: (line) => lines.push(line), seed: 5 });
  return { ...result, printed: lines.join('\n') };
}

describe('the missing-results chapter of the simulator', () => {
  it('with FOLLOW_UP_MISSING_RESULTS=off: says the tracker keeps to redraws once it has published the ends, without waiting out its settle time', { timeout: 120_000 }, async () => {
    const { ok, opensNoRedraw, printed } = await chapter(await start('off'));
    expect({ ok, opensNoRedraw }).toEqual({ ok: true, opensNoRedraw: false });
    expect(printed).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- /m);
    for (const label of ['X', 'Y', 'Z']) expect(printed).toMatch(new RegExp(`^ {2}${label} +- +no follow-up$`, 'm'));
    expect(printed).toContain('  The tracker keeps to redraws (FOLLOW_UP_MISSING_RESULTS=off): only the incomplete redraw W has a follow-up.');
  });

  it('with it on (the default): waits for every follow-up, X, Y and Z open with what is missing', { timeout: 120_000 }, async () => {
    const { ok, opensNoRedraw, printed } = await chapter(await start('on'));
    expect({ ok, opensNoRedraw }).toEqual({ ok: true, opensNoRedraw: true });
    expect(printed).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- /m);
    expect(printed).toMatch(/^ {2}X +new +no_redraw +X kit +sample_error +sample_hemolyzed /m);
    expect(printed).toMatch(/^ {2}Y +new +no_redraw +Y kit +lost +- /m);
    expect(printed).toMatch(/^ {2}Z +new +no_redraw +Z walk-in +completed +- /m);
    expect(printed).toContain('  Each is open, with what a person must decide and what is missing.');
  });
});
