/**
 * The Slack buttons, rehearsed (issues 25 and 32; docs/deploy.md, "Slack"): the
 * stack synthesized with a Slack channel, the chat button function's bundle run
 * as the deploy rehearsal runs every function (its template environment, its IAM
 * policy checked by the proxy, dynamodb:LeadingKeys included:
 * test/support/rehearsal), invoked with exactly the payload each button's command
 * sends, the follow-up id and version filled in as the bot fills them; and with
 * everything a channel member could send instead, none of which changes
 * anything. And the channel's side, from the same template: its role and its
 * guardrail allow invoking that function and nothing else, and the HTTP actions
 * function's resource policy lets API Gateway (this API) invoke it, no one else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { markAlerted } from '../../functions/store/follow-ups/tracker';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';
import { CHAT_BUTTON_FUNCTION_NAME } from '../../functions/notices/formats';
import { buttonPayload, commandText } from '../../lib/chat-actions';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';
import { isAllowed, type Statement } from '../support/rehearsal/iam';
import { startAwsProxy, type AwsProxy } from '../support/rehearsal/aws-proxy';
import { readDeployment, type Deployment, type TemplateJson } from '../support/rehearsal/deployment';
import { lambdaEnvironment, startLambdaProcess, type LambdaProcess, type Outcome } from '../support/rehearsal/lambda-process';
import { buildStack } from '../infra/stack';

const STACK = 'RedrawTracker';
const ACCOUNT = '123456789012';
const SLACK = { workspaceId: 'T0123456789', channelId: 'C0123456789' };

let assembly: string;
let table: TestTable;
let deployment: Deployment;

/** The deployment as read from the cloud assembly, optionally with the template edited first. */
function deploymentOf(edit?: (template: TemplateJson) => void): Deployment {
  return readDeployment(assembly, STACK, { account: ACCOUNT, region: LOCAL_REGION, tableName: table.tableName, streamArn: 'unused', generatedSecret: () => 'unused' }, edit);
}

beforeAll(async () => {
  table = await createTestTable('chat-buttons');
  assembly = mkdtempSync(join(tmpdir(), 'redraw-tracker-chat-rehearsal-'));
  buildStack({ bundle: true, outdir: assembly, region: LOCAL_REGION, settings: { slack: SLACK } }).app.synth();
  deployment = deploymentOf();
}, 300_000);

afterAll(async () => {
  await table?.drop();
  if (assembly) rmSync(assembly, { recursive: true, force: true });
});

function resultOf(outcome: Outcome, logs: string): unknown {
  if (outcome.kind !== 'result') throw new Error(`the invocation failed: ${outcome.name}: ${outcome.message}\n${logs}`);
  return outcome.result;
}

/** A follow-up as the transaction function opens it (state new, version 1); `alerted`: the sweep sent its alert (the buttons' marker). */
async function openedFollowUp(alerted = true): Promise<string> {
  const id = freshId();
  const openedAt = canonicalFromDate(new Date(Date.now() - 3 * 86_400_000));
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt });
  const stored = { followUp, redraw: { kind: 'awaiting_redraw' as const, statusTime: openedAt, orderId: followUp.initial_order_id ?? '' }, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
  if (alerted) expect(await markAlerted(table.db, table.tableName, id, canonicalFromDate(new Date()), new Date())).toBe('written');
  return id;
}

/** The template's resources, as `cdk synth` wrote them. */
function resources(): Record<string, { Type: string; Properties: unknown }> {
  return (JSON.parse(readFileSync(join(assembly, `${STACK}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties: unknown }> }).Resources;
}

/** The template's one resource of `type`: its logical id and its properties, resolved as CloudFormation would. */
function only(type: string): { id: string; properties: Record<string, unknown> } {
  const matches = Object.entries(resources()).filter(([, resource]) => resource.Type === type);
  const [match, ...more] = matches;
  if (!match || more.length > 0) throw new Error(`expected one ${type}, found ${matches.length}`);
  return { id: match[0], properties: deployment.resolve(match[1].Properties) as Record<string, unknown> };
}

/** The deployed function of `service`. */
function functionOf(service: string, from: Deployment = deployment) {
  const fn = from.functions.find((candidate) => candidate.service === service);
  if (!fn) throw new Error(`no ${service} function in the template`);
  return fn;
}

/** Runs `service`'s bundle of `from` with its proxy; `use` gets both; both stop after. */
async function deployed<T>(service: string, use: (running: { proxy: AwsProxy; process: LambdaProcess }) => Promise<T>, from: Deployment = deployment): Promise<T> {
  const fn = functionOf(service, from);
  const proxy = await startAwsProxy(from, fn, localEndpoint());
  const process = startLambdaProcess(fn, { ...lambdaEnvironment(fn, from.region, LOCAL_CREDENTIALS), ...fn.environment, AWS_ENDPOINT_URL: proxy.endpoint });
  try {
    return await use({ proxy, process });
  } finally {
    await process.stop();
    await proxy.close();
  }
}

/** The follow-up item and its history: what a click that does nothing must leave as it was. */
async function snapshot(id: string) {
  return { followUp: (await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp, history: await readHistory(table.db, table.tableName, id, new Date()) };
}

const ACTOR = `chat:${SLACK.channelId}`;

describe('the Slack buttons, rehearsed', () => {
  it('each button\'s payload, run through the deployed chat button function, acts on that follow-up at the alert\'s version, as chat:<channel id>', async () => {
    expect(functionOf('chat-button').environment['CHAT_CHANNEL_ID']).toBe(SLACK.channelId);
    // The name the notification gives the buttons is the function's name in the template.
    const [, chatButton] = Object.entries(resources()).find(([, resource]) => resource.Type === 'AWS::Lambda::Function' && JSON.stringify(resource.Properties).includes('"chat-button"')) ?? [];
    expect((chatButton?.Properties as { FunctionName?: unknown }).FunctionName).toBe(CHAT_BUTTON_FUNCTION_NAME);
    await deployed('chat-button', async ({ proxy, process }) => {
      expect((await process.init).kind, process.logs()).toBe('ready');
      // Its init asks AWS for nothing.
      expect(proxy.calls).toEqual([]);
      const id = await openedFollowUp();
      // "Acknowledge": exactly what its command sends once the bot put the follow-up id and the alert's version in.
      expect(commandText('ack')).toBe('lambda invoke --function-name $F --region $R --payload {"i":"$I","b":"ack","v":"$V"}');
      expect(buttonPayload('ack', id, 1)).toEqual({ i: id, b: 'ack', v: '1' });
      const acknowledged = resultOf(await process.invoke(buttonPayload('ack', id, 1)), process.logs());
      expect(acknowledged).toEqual({ status: 'done', message: 'Acknowledged.', follow_up: { id, state: 'acknowledged', owner: null, snoozed_until: null, version: 2 } });
      // "Snooze 2 days" on the alert of version 2: until is the function's now + 48 h.
      const before = Date.now();
      const snoozed = resultOf(await process.invoke(buttonPayload('snooze2d', id, 2)), process.logs()) as { status: string; follow_up: { state: string; snoozed_until: string; version: number } };
      const after = Date.now();
      expect(snoozed).toMatchObject({ status: 'done', message: expect.stringMatching(/^Snoozed until .* \(reason: other\)\.$/), follow_up: { state: 'snoozed', version: 3 } });
      const until = instantMillis(snoozed.follow_up.snoozed_until);
      expect(until).toBeGreaterThanOrEqual(before + 48 * 3_600_000 - 1);
      expect(until).toBeLessThanOrEqual(after + 48 * 3_600_000 + 1);
      // The history names the channel as the actor, twice; the snooze's reason is `other`.
      const history = await readHistory(table.db, table.tableName, id, new Date());
      expect(history.slice(1).map((entry) => [entry.action, entry.actor])).toEqual([
        ['acknowledge', ACTOR],
        ['snooze', ACTOR],
      ]);
      expect(history[2]).toMatchObject({ reason: 'other' });
      // A click on an older alert does nothing, and says so; a second "Snooze 2 days" never extends the snooze.
      const current = await snapshot(id);
      const now = { id, state: 'snoozed', owner: null, snoozed_until: snoozed.follow_up.snoozed_until, version: 3 };
      const stale = resultOf(await process.invoke(buttonPayload('ack', id, 1)), process.logs());
      expect(stale).toEqual({ status: 'conflict', message: expect.stringContaining('changed since this alert'), follow_up: now });
      for (const version of [2, 3]) {
        const again = resultOf(await process.invoke(buttonPayload('snooze2d', id, version)), process.logs());
        expect(again).toEqual({ status: 'refused', message: expect.stringMatching(/^Nothing done: already snoozed until .*; a person can change it in the console\.$/), follow_up: now });
      }
      expect(await snapshot(id)).toEqual(current);
      // A follow-up no alert named (a guessed id): refused in words, nothing written, counted in the function's metrics.
      const guessed = await openedFollowUp(false);
      const untouched = await snapshot(guessed);
      for (const button of ['ack', 'snooze2d'] as const) {
        expect(resultOf(await process.invoke(buttonPayload(button, guessed, 1)), process.logs())).toEqual({ status: 'refused', message: expect.stringContaining('this follow-up was never alerted') });
      }
      expect(await snapshot(guessed)).toEqual(untouched);
      expect(process.logs()).toContain('"reason":"never_alerted"');
      expect(process.logs()).toContain('"ChatButtonsRefused"');
      // A follow-up that does not exist: an answer the bot can print, not a crash.
      expect(resultOf(await process.invoke(buttonPayload('ack', freshId(), 1)), process.logs())).toEqual({ status: 'not_found', message: expect.any(String) });
      expect(proxy.denials).toEqual([]);
      expect(proxy.unexpected).toEqual([]);
      // Reads by key (the follow-up, its order's stale flag) and one transaction per change: nothing else.
      expect(new Set(proxy.calls)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:TransactWriteItems']));
    });
  }, 120_000);

  it('changes nothing for anything else a channel member could send it: an HTTP-shaped event, any other action, the old payloads', async () => {
    await deployed('chat-button', async ({ proxy, process }) => {
      const id = await openedFollowUp();
      const before = await snapshot(id);
      expect(before.followUp?.version).toBe(1);
      const someoneElse = `arn:aws:iam::${ACCOUNT}:user/someone.else`;
      const http = (body: unknown) => ({
        version: '2.0',
        routeKey: 'POST /follow-ups/{follow_up_id}/actions',
        rawPath: `/follow-ups/${id}/actions`,
        pathParameters: { follow_up_id: id },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST', path: `/follow-ups/${id}/actions` }, authorizer: { iam: { userArn: someoneElse } } },
      });
      const others: Record<string, unknown> = {
        close: { action: 'close', disposition: 'patient_declined' },
        reopen: { action: 'reopen' },
        assign: { action: 'assign', owner: 'someone.else' },
        record_contact: { action: 'record_contact', channel: 'phone', outcome: 'reached' },
        snooze: { action: 'snooze', until: canonicalFromDate(new Date(Date.now() + 30 * 86_400_000)), reason: 'other' },
        acknowledge: { action: 'acknowledge', owner: 'someone.else' },
      };
      const payloads: unknown[] = [
        http({ action: 'acknowledge' }),
        http({ action: 'close', disposition: 'other' }),
        { ...http({ action: 'acknowledge' }), ...buttonPayload('ack', id, 1) as object },
        ...Object.values(others).map((action) => ({ follow_up_id: id, action })),
        ...Object.keys(others).map((b) => ({ i: id, b, v: '1' })),
        { follow_up_id: id, button: 'acknowledge' },
        { follow_up_id: id, button: 'snooze_2d' },
        { ...buttonPayload('ack', id, 1) as object, owner: 'someone.else' },
        { ...buttonPayload('ack', id, 1) as object, actor: someoneElse },
      ];
      for (const payload of payloads) {
        const answer = resultOf(await process.invoke(payload), process.logs());
        expect(answer, JSON.stringify(payload)).toEqual({ status: 'refused', message: expect.stringMatching(/Nothing was changed\.$/) });
        expect(JSON.stringify(answer)).not.toContain('someone.else');
      }
      expect(await snapshot(id)).toEqual(before);
      // Refused before the table: no request at all.
      expect(proxy.calls).toEqual([]);
      expect(process.logs()).not.toContain('someone.else');
    });
  }, 120_000);

  it('lets the channel invoke the chat button function and nothing else: its role and its guardrail, as IAM evaluates them', () => {
    const fn = functionOf('chat-button');
    const channel = only('AWS::Chatbot::SlackChannelConfiguration');
    const roleArn = String(channel.properties['IamRoleArn']);
    const role = deployment.rolePolicies.get(roleArn) ?? [];
    const guardrail = only('AWS::IAM::ManagedPolicy');
    const guardrailStatements = (guardrail.properties['PolicyDocument'] as { Statement: Statement[] }).Statement;
    // The channel's guardrails are that one policy.
    expect((channel.properties['GuardrailPolicies'] as unknown[]).length).toBe(1);
    const allowed = (action: string, resource: string) =>
      isAllowed({ principal: roleArn, action, resource, context: {} }, { identity: role, resource: deployment.functionPolicies.get(resource) ?? [] }) &&
      isAllowed({ principal: roleArn, action, resource, context: {} }, { identity: guardrailStatements, resource: deployment.functionPolicies.get(resource) ?? [] });
    expect(allowed('lambda:InvokeFunction', fn.arn)).toBe(true);
    for (const other of deployment.functions.filter((candidate) => candidate !== fn)) expect(allowed('lambda:InvokeFunction', other.arn), other.service).toBe(false);
    expect(allowed('dynamodb:GetItem', deployment.table.arn)).toBe(false);
    expect(allowed('lambda:UpdateFunctionCode', fn.arn)).toBe(false);
  });

  it('lets API Gateway, from this API\'s actions route, invoke the HTTP actions function, and no role of the stack (its resource policy and every identity policy)', () => {
    const actions = functionOf('follow-up-actions');
    const policy = deployment.functionPolicies.get(actions.arn) ?? [];
    expect(policy.length).toBeGreaterThan(0);
    const api = only('AWS::ApiGatewayV2::Api');
    const route = (apiId: unknown) => `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${String(apiId)}/$default/POST/follow-ups/{follow_up_id}/actions`;
    const invoke = (principal: string, context: Record<string, string> = {}) => ({ principal, action: 'lambda:InvokeFunction', resource: actions.arn, context });
    // This API: yes. Another API, another route of this one, another service: no.
    const apiRef = deployment.resolve({ Ref: api.id });
    expect(isAllowed(invoke('apigateway.amazonaws.com', { 'aws:SourceArn': route(apiRef) }), { identity: [], resource: policy })).toBe(true);
    expect(isAllowed(invoke('apigateway.amazonaws.com', { 'aws:SourceArn': route('AnotherApi') }), { identity: [], resource: policy })).toBe(false);
    expect(isAllowed(invoke('apigateway.amazonaws.com', { 'aws:SourceArn': `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${String(apiRef)}/$default/GET/follow-ups` }), { identity: [], resource: policy })).toBe(false);
    expect(isAllowed(invoke('events.amazonaws.com'), { identity: [], resource: policy })).toBe(false);
    // Every role of the stack, the channel's included, with its own policies (and, for the channel, its guardrail): no.
    const guardrail = (only('AWS::IAM::ManagedPolicy').properties['PolicyDocument'] as { Statement: Statement[] }).Statement;
    expect(deployment.rolePolicies.size).toBeGreaterThan(deployment.functions.length);
    for (const [roleArn, identity] of deployment.rolePolicies) {
      expect(isAllowed(invoke(roleArn), { identity, resource: policy }), roleArn).toBe(false);
      expect(isAllowed(invoke(roleArn), { identity: guardrail, resource: policy }), roleArn).toBe(false);
    }
  });
});

describe('the rehearsal itself', () => {
  it('holds the chat button function to its partitions: with GetItem on the orders\' partitions only, reading the follow-up is denied', async () => {
    const ordersOnly = deploymentOf((template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        for (const statement of (resource.Properties as { PolicyDocument: { Statement: { Sid?: string; Condition?: Record<string, Record<string, unknown>> }[] } }).PolicyDocument.Statement) {
          if (statement.Sid === 'TableGetItem' && statement.Condition) statement.Condition['ForAllValues:StringLike'] = { 'dynamodb:LeadingKeys': ['ORDER#*'] };
        }
      }
    });
    await deployed(
      'chat-button',
      async ({ proxy, process }) => {
        const id = await openedFollowUp();
        const answer = resultOf(await process.invoke(buttonPayload('ack', id, 1)), process.logs());
        expect(answer).toMatchObject({ status: 'error' });
        expect(proxy.denials).toContainEqual({ service: 'dynamodb', action: 'dynamodb:GetItem', resource: ordersOnly.table.arn });
        expect((await snapshot(id)).followUp?.version).toBe(1);
      },
      ordersOnly,
    );
  }, 120_000);
});
