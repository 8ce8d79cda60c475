/**
 * `npm run junction-api -- --webhooks-to URL` (local/junction-standin/cli.ts,
 * CONTRACT §14 "Locally"): `--help` documents the option and the secret it signs
 * with; a URL off this machine, or the option without JUNCTION_WEBHOOK_SECRET (or
 * with one that is no `whsec_` secret), is a usage error that says what to set,
 * before anything listens. The banner's line on webhooks, both ways. (What it posts:
 * test/integration/junction-standin-webhooks.test.ts; through npm start:
 * test/e2e/reconcile.test.ts.)
 *
 * No case here is a process: each is about a message, the usage text or an exit
 * code, so each runs the junction-api command line in this process (standinMain,
 * test/support/standin-cli.ts), a spawn's 1.5 s of CPU saved. What only a
 * process shows of the same script, `npm run -s junction-api` reading its setting
 * from the real environment and its exit code reaching the shell, stays a process
 * in test/unit/junction-api-cli.test.ts; the webhooks' posts from a running
 * stand-in, in test/integration/junction-standin-webhooks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { junctionApi as command } from '../../local/junction-standin/cli';
import { webhooksBannerLine } from '../../local/junction-standin/webhooks';
import { nonEmptyLines, runStandinInProcess } from '../support/standin-cli';

/** Runs the junction-api command line on `args` in this process, without the developer's stand-in settings (test/support/standin-cli.ts). */
const junctionApi = (args: readonly string[], settings: Record<string, string> = {}) =>
  runStandinInProcess(command, ['JUNCTION_STANDIN_PORT', 'JUNCTION_API_KEY', 'JUNCTION_WEBHOOK_SECRET'], args, settings);

const USAGE = 'usage: npm run junction-api [-- --port <port>] [--orders <count>]   (--help explains)';

describe('npm run junction-api --webhooks-to', () => {
  it('is documented by --help: what it posts and when, where to, the secret it signs with, an example', async () => {
    const { code, stdout } = await junctionApi(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('\n  --webhooks-to <url>\n');
    expect(stdout).toContain('labtest.appointment.created / .updated webhook Junction sends');
    expect(stdout).toContain('http://127.0.0.1:3000/webhooks/junction');
    expect(stdout).toMatch(/^ {2}JUNCTION_WEBHOOK_SECRET +with --webhooks-to: the whsec_ secret npm start verifies/m);
    expect(stdout).toContain('JUNCTION_WEBHOOK_SECRET=whsec_... npm run junction-api -- --webhooks-to http://127.0.0.1:3000/webhooks/junction');
    expect(stdout).not.toContain('posts no appointment webhooks');
  });

  it('refuses a URL off this machine, naming the hosts it takes (exit 2)', async () => {
    const { code, stdout, stderr } = await junctionApi(['--port', '0', '--webhooks-to', 'https://tracker.example.com/webhooks/junction']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(nonEmptyLines(stderr)).toEqual([
      'junction-api: invalid --webhooks-to: https://tracker.example.com/webhooks/junction is not an http URL on this machine (127.0.0.1, localhost or [::1]): the stand-in posts nowhere else',
      USAGE,
    ]);
  });

  it('needs JUNCTION_WEBHOOK_SECRET, and a whsec_ one: says so before anything listens (exit 2)', async () => {
    const missing = await junctionApi(['--port', '0', '--webhooks-to', 'http://127.0.0.1:3000/webhooks/junction']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(nonEmptyLines(missing.stderr)).toEqual([
      'junction-api: --webhooks-to needs JUNCTION_WEBHOOK_SECRET: the whsec_ secret npm start verifies (its banner prints it; start both with the same one)',
      USAGE,
    ]);
    const wrong = await junctionApi(['--port', '0', '--webhooks-to', 'http://localhost:3000/webhooks/junction'], { JUNCTION_WEBHOOK_SECRET: 'not-a-secret' });
    expect(wrong.code).toBe(2);
    expect(nonEmptyLines(wrong.stderr)[0]).toBe('junction-api: JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret: the one npm start verifies');
  });

  it("says in its banner where the webhooks go, or that it posts none and how to have them", () => {
    expect(webhooksBannerLine(null)).toBe('  no webhooks: pass --webhooks-to URL to post the appointment webhooks (bookings show in GET /v3/order/{order_id}/psc/appointment)');
    expect(webhooksBannerLine('http://127.0.0.1:3000/webhooks/junction')).toBe(
      '  webhooks: labtest.appointment.created/updated posted to http://127.0.0.1:3000/webhooks/junction after each booking change, signed with JUNCTION_WEBHOOK_SECRET (one line each below)',
    );
  });
});
