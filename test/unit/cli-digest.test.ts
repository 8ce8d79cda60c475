/**
 * `digest --last`: shows the last digest sent, from the local notifications,
 * in any format, and sends nothing (no POST /local/digest); without --last a
 * run sends one. Against a fake local tracker that records what it is asked.
 */
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../../cli/command';
import { runCli } from '../../cli/main';

const ALERT = { order_id: 'o-1', reason: 'no_progress', sent_at: '2026-11-20T10:00:00.000000Z' };
const DIGEST = { kind: 'weekly_digest', sent_at: '2026-11-21T10:00:00.000000Z', report: { opened: 1 } };
const NEWER_DIGEST = { kind: 'weekly_digest', sent_at: '2026-11-22T10:00:00.000000Z', report: { opened: 2 } };

function fakeTracker(items: Record<string, unknown>[]) {
  const requests: string[] = [];
  const reply = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetchFake: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
    if (url.pathname === '/local/digest') return reply({ format: url.searchParams.get('format'), item: { subject: 'Weekly redraw review: sent now', text: 'new' } });
    const format = url.searchParams.get('format');
    if (format === null) return reply({ items });
    // Each item as that subscriber got it, in the same order.
    return reply({
      format,
      items: items.map((item) =>
        format === 'email'
          ? { subject: `${item.kind ?? 'alert'} ${item.sent_at as string}`, text: 'body' }
          : { content: { title: `${item.kind ?? 'alert'} ${item.sent_at as string}`, description: 'd', nextSteps: [] }, metadata: { threadId: 't' } },
      ),
    });
  };
  return { requests, fetch: fetchFake };
}

async function cli(args: string[], fetchFake: typeof fetch) {
  let stdout = '';
  let stderr = '';
  const deps: Partial<CliDeps> = {
    env: { PORT: '3999' },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch: fetchFake,
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

describe('digest --last', () => {
  it('prints the last digest sent, in the format asked for, and sends none', async () => {
    const tracker = fakeTracker([ALERT, DIGEST, NEWER_DIGEST, { ...ALERT, sent_at: '2026-11-22T11:00:00.000000Z' }]);
    const json = await cli(['digest', '--last', '--format', 'json'], tracker.fetch);
    expect(json).toEqual({ code: 0, stdout: `${JSON.stringify(NEWER_DIGEST)}\n`, stderr: '' });
    const email = await cli(['digest', '--last'], tracker.fetch);
    expect(email.stdout).toBe(`Subject: weekly_digest ${NEWER_DIGEST.sent_at}\n\nbody\n`);
    const chat = await cli(['digest', '--last', '--format', 'chat', '--json'], tracker.fetch);
    expect(JSON.parse(chat.stdout)).toMatchObject({ format: 'chat', item: { content: { title: `weekly_digest ${NEWER_DIGEST.sent_at}` } } });
    expect(tracker.requests.filter((request) => request.startsWith('POST'))).toEqual([]);
  });

  it('says so (exit 1) when no digest was sent yet, and sends none', async () => {
    const tracker = fakeTracker([ALERT]);
    const run = await cli(['digest', '--last', '--format', 'json'], tracker.fetch);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'redraw-tracker: digest: the local tracker at http://127.0.0.1:3999 has sent no digest since it started: `npx redraw-tracker digest` sends one, then --format json shows it\n' });
    expect(tracker.requests).toEqual(['GET /local/notifications']);
  });

  it('sends one only when asked with neither --format nor --last, and prints its e-mail', async () => {
    const tracker = fakeTracker([]);
    const sent = await cli(['digest'], tracker.fetch);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe('Subject: Weekly redraw review: sent now\n\nnew\n');
    expect(tracker.requests).toEqual(['POST /local/digest?format=email']);
  });

  it('shows the last digest with --format alone, sending none (issue 33: it sent a second one)', async () => {
    const tracker = fakeTracker([DIGEST, NEWER_DIGEST]);
    const json = await cli(['digest', '--format', 'json'], tracker.fetch);
    expect(json).toEqual({ code: 0, stdout: `${JSON.stringify(NEWER_DIGEST)}\n`, stderr: '' });
    expect(tracker.requests.filter((request) => request.startsWith('POST'))).toEqual([]);
  });
});
