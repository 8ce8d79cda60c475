/**
 * What each function's role may do (IAM statements read out of the template, ./policies.ts): the table's
 * actions and partitions, the secrets, invoking, publishing. Read-only where a function only reads.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, allStatements, statementsOf } from './policies';
import { BOOKING_SETTINGS, sharedStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = sharedStack();
}, 120_000);

const ref = (value: unknown) => built.stack.resolve(value);
const dynamodbActions = (actions: Set<string>) => [...actions].filter((a) => a.startsWith('dynamodb:')).sort();

describe('permissions', () => {
  it('allows dynamodb:Scan nowhere, not even through a wildcard', () => {
    const actions = allStatements(built.template).flatMap(({ statement }) => statement.Action);
    expect(actions.filter((a) => /^dynamodb:(Scan|\*)$/i.test(a) || a === '*')).toEqual([]);
  });

  it('lets the webhook write orders and quarantined events (and keep a flag on a newer copy of the same state) but never read', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.webhook.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  it('lets the webhook read only its own secret', () => {
    const secretStatements = statementsOf(built.stack, built.template, built.stack.webhook.role).filter((s) =>
      s.Action.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements.flatMap((s) => s.Resource)).toEqual([
      { Ref: expect.stringMatching(/^WebhookSecret/) },
    ]);
  });

  it('lets the query function read only: BatchGetItem (appointments, CONTRACT §10; a worklist page\'s follow-ups and orders), GetItem and Query, on the table, the open-redraws index, the by-transaction index and the worklist index (the follow-ups\' worklist)', () => {
    const statements = statementsOf(built.stack, built.template, built.stack.query.role);
    const actions = actionsOf(built.stack, built.template, built.stack.query.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect([...actions].filter((a) => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    const indexResources = statements
      .filter((s) => s.Action.includes('dynamodb:Query'))
      .flatMap((s) => s.Resource)
      .map((r) => JSON.stringify(r));
    expect(indexResources.filter((r) => r.includes('/index/')).map((r) => /\/index\/([a-z-]+)/.exec(r)?.[1]).sort()).toEqual(['by-transaction', 'open-redraws', 'worklist']);
  });

  it('lets the transaction function read and write items by key, read the stream, and query the table (a follow-up\'s history) but no index', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.transactionStatus.role);
    expect(dynamodbActions(actions)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const statements = built.template.toJSON().Resources;
    const queried = JSON.stringify(
      Object.values(statements as Record<string, { Type: string; Properties: { Roles?: unknown; PolicyDocument?: { Statement: { Action: string | string[]; Resource: unknown }[] } } }>)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes('TransactionStatus'))
        .flatMap((resource) => resource.Properties.PolicyDocument?.Statement ?? [])
        .filter((statement) => [statement.Action].flat().includes('dynamodb:Query'))
        .map((statement) => statement.Resource),
    );
    expect(queried).not.toContain('/index/');
  });

  it("lets the follow-up actions function read follow-ups and orders by key, put follow-ups (its TransactWriteItems) and a booked appointment on its order (CONTRACT §14), held to those partitions, and read Junction's key: no query, no index, no update", () => {
    const actions = actionsOf(built.stack, built.template, built.stack.followUpActions.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    const table = statementsOf(built.stack, built.template, built.stack.followUpActions.role).filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    // dynamodb:LeadingKeys: the follow-up's own partition, and the orders' for the stale flag its answer shows,
    // the booking's facts (§14) and the booked appointment's conditional put (§10's item, in its order's partition).
    expect(table.map((s) => [s.Action, s.Condition])).toEqual([
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*', 'ORDER#*'] } }],
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*', 'ORDER#*'] } }],
    ]);
    expect(JSON.stringify(table.flatMap((s) => s.Resource))).not.toContain('/index/');
    for (const forbidden of ['lambda:InvokeFunction', 'sns:Publish', 'events:PutEvents']) expect(actions.has(forbidden)).toBe(false);
    const secrets = statementsOf(built.stack, built.template, built.stack.followUpActions.role).filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap((s) => s.Resource)).toEqual([{ Ref: expect.stringMatching(/^JunctionApiKey/) }]);
    // 29 s: a booking's one call to Junction is bounded to 20 s, the HTTP API's own limit is 30 s.
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 29,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'follow-up-actions',
          REDRAW_STALE_AFTER_DAYS: '7',
          REDRAW_MISSING_AFTER_HOURS: '24',
          JUNCTION_API_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^JunctionApiKey') },
          JUNCTION_API_BASE_URL: 'https://api.us.junction.com',
          JUNCTION_BOOKING_ASYNC: 'off',
          RETENTION_DAYS: '365',
        }),
      },
    });
  });

  it('lets the sweep query the open-redraws index, read and apply orders (reconciliation), update flags and publish notifications', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.staleRedrawSweep.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actions).toContain('sns:Publish');
    // It deletes only the records of missing results it read or gave up (CONTRACT §9 `missing`), and the report's hour marks.
    const statements = statementsOf(built.stack, built.template, built.stack.staleRedrawSweep.role);
    const deletes = statements.filter((s) => s.Action.includes('dynamodb:DeleteItem'));
    expect(deletes.map((s) => [s.Action, s.Condition])).toEqual([[['dynamodb:DeleteItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RESULTS#*', 'REPORT#unit-mark-hour*'] } }]]);
    // Its Queries of the table (not an index) read the report's partitions only (CONTRACT §11: the units are built from rows).
    const tableQueries = statements.filter((s) => s.Action.includes('dynamodb:Query') && !JSON.stringify(s.Resource).includes('/index/'));
    expect(tableQueries.map((s) => [s.Action, s.Condition])).toEqual([[['dynamodb:Query'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORT#*'] } }]]);
  });

  it('lets only the sweep, the backfill, and the query and actions functions (the booking, CONTRACT §14) read the Junction API key, and nothing else of Secrets Manager', () => {
    const readers = [built.stack.staleRedrawSweep, built.stack.backfill, built.stack.query, built.stack.followUpActions];
    for (const bound of readers) {
      const secretStatements = statementsOf(built.stack, built.template, bound.role).filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.flatMap((s) => s.Resource)).toEqual([{ Ref: expect.stringMatching(/^JunctionApiKey/) }]);
    }
    for (const bound of [built.stack.webhook, built.stack.transactionStatus]) {
      expect(JSON.stringify(statementsOf(built.stack, built.template, bound.role))).not.toContain('JunctionApiKey');
    }
  });

  it('gives the backfill the write path of an API read, a 15-minute timeout, and the right to invoke itself only', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.backfill.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const invoke = statementsOf(built.stack, built.template, built.stack.backfill.role).filter((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => s.Resource)).toEqual([ref(built.stack.backfill.fn.functionArn)]);
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.staleRedrawSweep, built.stack.query]) {
      expect(actionsOf(built.stack, built.template, bound.role).has('lambda:InvokeFunction')).toBe(false);
    }
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'backfill', JUNCTION_API_BASE_URL: 'https://api.us.junction.com' }) },
    });
  });

  it("gives the query function Junction's key secret by ARN and Junction's server for the booking's reads (CONTRACT §14), and keeps its 10-s timeout; the booking's own settings are the actions function's", () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'query',
          JUNCTION_API_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^JunctionApiKey') },
          JUNCTION_API_BASE_URL: 'https://api.us.junction.com',
        }),
      },
    });
    const variables = (bound: { fn: { node: { defaultChild?: unknown } } }) =>
      built.template.toJSON().Resources[built.stack.getLogicalId(bound.fn.node.defaultChild as never)].Properties.Environment.Variables as Record<string, unknown>;
    expect(variables(built.stack.query)).not.toHaveProperty('JUNCTION_BOOKING_ASYNC');
    expect(variables(built.stack.query)).not.toHaveProperty('BOOKING_REQUIRES_GROUP');
    // Without consoleBookingGroup (cdk.json's default) everyone signed in may book.
    expect(variables(built.stack.followUpActions)).not.toHaveProperty('BOOKING_REQUIRES_GROUP');
  });

  it('gives the booking its settings (CONTRACT §14): junctionBookingAsync as JUNCTION_BOOKING_ASYNC on, junctionApiBaseUrl to every function that asks Junction, and no grant more', () => {
    const booking = sharedStack(BOOKING_SETTINGS);
    const fnId = (bound: { fn: { node: { defaultChild?: unknown } } }) => booking.stack.getLogicalId(bound.fn.node.defaultChild as never);
    const variables = (bound: { fn: { node: { defaultChild?: unknown } } }) => booking.template.toJSON().Resources[fnId(bound)].Properties.Environment.Variables as Record<string, unknown>;
    expect(variables(booking.stack.followUpActions)).toMatchObject({ JUNCTION_BOOKING_ASYNC: 'on', JUNCTION_API_BASE_URL: BOOKING_SETTINGS.junctionApiBaseUrl });
    for (const bound of [booking.stack.query, booking.stack.staleRedrawSweep, booking.stack.backfill]) {
      expect(variables(bound), fnId(bound)).toMatchObject({ JUNCTION_API_BASE_URL: BOOKING_SETTINGS.junctionApiBaseUrl });
    }
    // The settings change variables only: each function's statements are the default stack's, one for one.
    for (const name of ['query', 'followUpActions', 'staleRedrawSweep', 'backfill'] as const) {
      expect(statementsOf(booking.stack, booking.template, booking.stack[name].role), name).toEqual(statementsOf(built.stack, built.template, built.stack[name].role));
    }
  }, 120_000);

  it('gives the sweep the Junction settings from cdk.json and the key secret by ARN', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'stale-redraw-sweep',
          JUNCTION_API_BASE_URL: 'https://api.us.junction.com',
          RECONCILE_AFTER_MINUTES: '60',
          SYNC_LOOKBACK_HOURS: '24',
          SYNC_MAX_SECONDS: '120',
          JUNCTION_API_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^JunctionApiKey') },
        }),
      },
    });
  });
});
