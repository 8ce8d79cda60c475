/**
 * The chat button function's edge (functions/chat-button, issue 32): it takes a
 * button's short payload and nothing else. Every other payload is refused before
 * the table is asked (the table here fails every call: a refusal proves the store
 * was never reached), with an answer that never repeats what was sent. Clicks
 * against a real table: test/integration/chat-button.test.ts and the rehearsal.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { CHAT_BUTTON_REFUSED_METRIC, chatActor, createChatButtonHandler } from '../../functions/chat-button/app';
import { unreachableTable } from '../support/unreachable-table';

function setup() {
  const table = unreachableTable('database exploded near SECRET-DETAIL');
  const lines: string[] = [];
  const record = (level: string) => (...args: unknown[]) => void lines.push(JSON.stringify([level, ...args]));
  const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const metrics: string[] = [];
  const sink = { addMetric: (name: string, _unit: string, value: number) => void metrics.push(`${name}=${value}`), publishStoredMetrics: () => void metrics.push('published') };
  const handle = createChatButtonHandler({ db: table.db, tableName: 'unused', thresholds: DEFAULT_THRESHOLDS, logger, channelId: 'C0123456789', metrics: sink });
  return { handle, calls: table.calls, lines, metrics };
}

/** An HTTP API (payload 2.0) event as API Gateway would send it for the actions route, with an IAM identity. */
const httpShaped = {
  version: '2.0',
  routeKey: 'POST /follow-ups/{follow_up_id}/actions',
  rawPath: '/follow-ups/tx-1/actions',
  pathParameters: { follow_up_id: 'tx-1' },
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ action: 'close', disposition: 'other' }),
  isBase64Encoded: false,
  requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/someone.else' } } },
};

describe('the chat button function without a table', () => {
  it('records clicks as the channel: chat:<channel id>', () => {
    expect(chatActor('C0123456789')).toBe('chat:C0123456789');
  });

  it.each<[string, unknown]>([
    ['an HTTP API event', httpShaped],
    ['an HTTP API event that also carries a button payload', { ...httpShaped, i: 'tx-1', b: 'ack', v: '1' }],
    ['the old direct shape with any action', { follow_up_id: 'tx-1', action: { action: 'close', disposition: 'patient_declined' } }],
    ['the old direct shape with a button', { follow_up_id: 'tx-1', button: 'acknowledge' }],
    ['a button payload with an action the buttons do not have', { i: 'tx-1', b: 'close', v: '1' }],
    ['a button payload with an extra field', { i: 'tx-1', b: 'ack', v: '1', owner: 'team.secret' }],
    ['a button payload with an actor', { i: 'tx-1', b: 'ack', v: '1', actor: 'arn:aws:iam::123456789012:user/someone.else' }],
    ['a button payload without a version', { i: 'tx-1', b: 'ack' }],
    ['a version the bot did not substitute', { i: 'tx-1', b: 'ack', v: '$V' }],
    ['a version that is not a positive integer', { i: 'tx-1', b: 'snooze2d', v: '1.5' }],
    ['a version of zero', { i: 'tx-1', b: 'snooze2d', v: 0 }],
    ['a follow-up id with spaces', { i: 'team secret', b: 'ack', v: '1' }],
    ['a string', 'ack'],
    ['null', null],
  ])('refuses %s, never asking the table nor repeating the payload', async (_name, payload) => {
    const { handle, calls, lines, metrics } = setup();
    const answer = await handle(payload);
    expect(answer).toEqual({ status: 'refused', message: expect.stringMatching(/^Not done: .*Nothing was changed\.$/) });
    expect(calls()).toEqual([]);
    // Counted as refused, and published at once (one click is one invocation).
    expect(metrics).toEqual([`${CHAT_BUTTON_REFUSED_METRIC}=1`, 'published']);
    for (const text of [JSON.stringify(answer), lines.join('\n')]) {
      expect(text).not.toContain('team');
      expect(text).not.toContain('someone.else');
    }
  });

  it('takes the version as the bot substitutes it (decimal text) or as a number', async () => {
    for (const v of ['7', 7]) {
      const { handle, calls, metrics } = setup();
      // Accepted: it reaches the (failing) table, and says so without its error's message.
      const answer = await handle({ i: 'tx-1', b: 'ack', v });
      expect(answer.status).toBe('error');
      expect(calls()).toEqual(['GetItem']);
      expect(metrics).toEqual([]);
    }
  });

  it('answers a table failure in words, naming neither the error message nor anything sent, and logs the error by name only', async () => {
    const { handle, lines } = setup();
    const answer = await handle({ i: 'tx-1', b: 'snooze2d', v: '3' });
    expect(answer).toEqual({ status: 'error', message: expect.stringContaining('Internal error') });
    expect(lines.join('\n')).toContain('ECONNREFUSED');
    for (const text of [JSON.stringify(answer), lines.join('\n')]) expect(text).not.toContain('SECRET-DETAIL');
  });
});
