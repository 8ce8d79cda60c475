/**
 * The Slack buttons, rehearsed (issue 25, item 8; docs/deploy.md, "Slack"): the
 * stack synthesized with a Slack channel, the follow-up actions function's bundle
 * run as the deploy rehearsal runs every function (its template environment, its
 * IAM policy checked by the proxy: test/support/rehearsal), invoked with exactly
 * the payload each button's command sends, the follow-up id filled in as the bot
 * fills it. And the channel's side, from the same template: its role and its
 * guardrail allow invoking that function and nothing else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFollowUp, openingEntry } from '../../functions/core/follow-up';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { getFollowUp, readHistory, writeStoredFollowUp } from '../../functions/store/follow-ups';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';
import { buttonPayload, commandText } from '../../lib/chat-actions';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';
import { isAllowed, type Statement } from '../support/rehearsal/iam';
import { startAwsProxy } from '../support/rehearsal/aws-proxy';
import { readDeployment, type Deployment } from '../support/rehearsal/deployment';
import { lambdaEnvironment, startLambdaProcess, type Outcome } from '../support/rehearsal/lambda-process';
import { buildStack } from '../infra/stack';

const STACK = 'RedrawTracker';
const ACCOUNT = '123456789012';
const SLACK = { workspaceId: 'T0123456789', channelId: 'C0123456789' };

let assembly: string;
let table: TestTable;
let deployment: Deployment;

beforeAll(async () => {
  table = await createTestTable('chat-buttons');
  assembly = mkdtempSync(join(tmpdir(), 'redraw-tracker-chat-rehearsal-'));
  buildStack({ bundle: true, outdir: assembly, region: LOCAL_REGION, settings: { slack: SLACK } }).app.synth();
  deployment = readDeployment(assembly, STACK, {
    account: ACCOUNT,
    region: LOCAL_REGION,
    tableName: table.tableName,
    streamArn: 'unused',
    generatedSecret: () => 'unused',
  });
}, 300_000);

afterAll(async () => {
  await table?.drop();
  if (assembly) rmSync(assembly, { recursive: true, force: true });
});

function resultOf(outcome: Outcome, logs: string): unknown {
  if (outcome.kind !== 'result') throw new Error(`the invocation failed: ${outcome.name}: ${outcome.message}\n${logs}`);
  return outcome.result;
}

/** A follow-up as the transaction function opens it (state new, version 1). */
async function openedFollowUp(): Promise<string> {
  const id = freshId();
  const openedAt = canonicalFromDate(new Date(Date.now() - 3 * 86_400_000));
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt });
  const stored = { followUp, redraw: { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: followUp.initial_order_id ?? '' }, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))])).toBe('written');
  return id;
}

/** The template's one resource of `type`: its logical id and its properties, resolved as CloudFormation would. */
function only(type: string): { id: string; properties: Record<string, unknown> } {
  const { Resources } = JSON.parse(readFileSync(join(assembly, `${STACK}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties: unknown }> };
  const matches = Object.entries(Resources).filter(([, resource]) => resource.Type === type);
  const [match, ...more] = matches;
  if (!match || more.length > 0) throw new Error(`expected one ${type}, found ${matches.length}`);
  return { id: match[0], properties: deployment.resolve(match[1].Properties) as Record<string, unknown> };
}

describe('the Slack buttons, rehearsed', () => {
  it('each button\'s payload, run through the deployed follow-up actions function, acts on that follow-up as the channel\'s role', async () => {
    const fn = deployment.functions.find((candidate) => candidate.service === 'follow-up-actions');
    if (!fn) throw new Error('no follow-up-actions function in the template');
    const channel = only('AWS::Chatbot::SlackChannelConfiguration');
    expect(fn.environment['CHAT_ACTOR']).toBe(channel.properties['IamRoleArn']);

    const proxy = await startAwsProxy(deployment, fn, localEndpoint());
    const process = startLambdaProcess(fn, { ...lambdaEnvironment(fn, deployment.region, LOCAL_CREDENTIALS), ...fn.environment, AWS_ENDPOINT_URL: proxy.endpoint });
    try {
      const id = await openedFollowUp();
      // "Acknowledge": exactly what its command sends once the bot put the follow-up id in.
      expect(commandText('acknowledge')).toContain(JSON.stringify({ follow_up_id: '$I', button: 'acknowledge' }));
      // The bot prints the answer in the thread: the status and body the HTTP route would give.
      const acknowledged = resultOf(await process.invoke(buttonPayload('acknowledge', id)), process.logs());
      expect(acknowledged).toMatchObject({ status: 200, body: { follow_up: { id, state: 'acknowledged', version: 2 } } });
      // "Snooze 2 days": until is the function's now + 48 h.
      const before = Date.now();
      const snoozed = resultOf(await process.invoke(buttonPayload('snooze_2d', id)), process.logs()) as { status: number; body: { follow_up: { state: string; snoozed_until: string; snooze_reason: string } } };
      const after = Date.now();
      expect(snoozed).toMatchObject({ status: 200, body: { follow_up: { state: 'snoozed', snooze_reason: 'other', version: 3 } } });
      const until = instantMillis(snoozed.body.follow_up.snoozed_until);
      expect(until).toBeGreaterThanOrEqual(before + 48 * 3_600_000 - 1);
      expect(until).toBeLessThanOrEqual(after + 48 * 3_600_000 + 1);
      // The history names the channel's role as the actor, twice.
      const history = await readHistory(table.db, table.tableName, id);
      expect(history.slice(1).map((entry) => [entry.action, entry.actor])).toEqual([
        ['acknowledge', channel.properties['IamRoleArn']],
        ['snooze', channel.properties['IamRoleArn']],
      ]);
      expect((await getFollowUp(table.db, table.tableName, id))?.followUp.state).toBe('snoozed');
      // A follow-up that does not exist: an answer the bot can print, not a crash.
      expect(resultOf(await process.invoke(buttonPayload('acknowledge', freshId())), process.logs())).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(proxy.denials).toEqual([]);
      expect(proxy.unexpected).toEqual([]);
    } finally {
      await process.stop();
      await proxy.close();
    }
  }, 120_000);

  it('lets the channel invoke that function and nothing else: its role and its guardrail, as IAM evaluates them', () => {
    const fn = deployment.functions.find((candidate) => candidate.service === 'follow-up-actions')!;
    const channel = only('AWS::Chatbot::SlackChannelConfiguration');
    const roleArn = String(channel.properties['IamRoleArn']);
    const role = deployment.rolePolicies.get(roleArn) ?? [];
    const guardrail = only('AWS::IAM::ManagedPolicy');
    const guardrailStatements = (guardrail.properties['PolicyDocument'] as { Statement: Statement[] }).Statement;
    // The channel's guardrails are that one policy.
    expect((channel.properties['GuardrailPolicies'] as unknown[]).length).toBe(1);
    const allowed = (action: string, resource: string) =>
      isAllowed({ principal: roleArn, action, resource, context: {} }, { identity: role }) &&
      isAllowed({ principal: roleArn, action, resource, context: {} }, { identity: guardrailStatements });
    expect(allowed('lambda:InvokeFunction', fn.arn)).toBe(true);
    for (const other of deployment.functions.filter((candidate) => candidate !== fn)) expect(allowed('lambda:InvokeFunction', other.arn)).toBe(false);
    expect(allowed('dynamodb:GetItem', deployment.table.arn)).toBe(false);
    expect(allowed('lambda:UpdateFunctionCode', fn.arn)).toBe(false);
  });
});
