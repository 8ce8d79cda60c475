/**
 * The tracker on AWS: one DynamoDB table (the shared design in
 * functions/store/table.ts), the functions bound to it, an HTTP API, the
 * stream and schedule wiring, and the alarms that say when something needs a human.
 */
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { SlackChannelConfiguration, LoggingLevel } from 'aws-cdk-lib/aws-chatbot';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, Policy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type CfnFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CHAT_BUTTON_FUNCTION_NAME } from '../functions/notices/formats';
import { READER_PARTITIONS } from '../functions/store/key-prefixes';
import { keys, REPORT_PARTITION_PREFIX, unitKeys } from '../functions/store/keys';
import { TABLE, TABLE_INDEXES } from '../functions/store/table';
import { ChatActions } from './chat-actions';
import { ConsoleSite } from './console';
import { FhirNotifications, importNotifySecret } from './fhir-notifications';
import { fhirAddressEnvironment, FhirWriter, withFhirConfirmations, fhirWriterEnvironment, grantFhirSecretRead, importFhirSecrets, sweepFhirAccess } from './fhir';
import { consoleSite } from './console-bundle';
import { Monitoring } from './monitoring';
import type { Settings } from './settings';
import { confinedReads, TableBoundFunction, TIMEOUTS, acknowledgeStreamConsumerGrants } from './table-bound-function';
import { WeeklyDigest } from './weekly-digest';

/**
 * The stream mapping of the transaction-status function; exported so the tests check the stack against it.
 * A failing record is retried without an attempt limit until its age limit, the stream's own
 * retention (24 h): an outage of minutes or hours drops nothing (issue 24, item 1). The function
 * parks the work of a record that keeps failing for an hour (keys and facts, in the table) and
 * redoes it from there, which unblocks the shard; the on-failure queue only receives what is
 * still failing at 24 h (last resort, alarmed). `IteratorAge` is alarmed within minutes.
 */
export const STREAM_MAPPING = {
  batchSize: 25,
  /** -1: no attempt limit (Lambda retries until the record reaches maxRecordAge). */
  retryAttempts: -1,
  /** The stream keeps records 24 h; the mapping's maximum would be 7 days, which the stream never reaches. */
  maxRecordAge: Duration.hours(24),
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  startingPosition: StartingPosition.TRIM_HORIZON,
} as const;

/** The webhook's route: its own throttling and detailed (per-route) metrics on the `$default` stage. */
export const WEBHOOK_ROUTE = { method: 'POST', path: '/webhooks/junction', key: 'POST /webhooks/junction' } as const;

/** The placeholder stored in the webhook secret until an operator sets the real value (docs/deploy.md). */
export const WEBHOOK_SECRET_PLACEHOLDER =
  'REPLACE_ME: comma-separated whsec_ signing secrets from the Junction dashboard';

/**
 * The placeholder stored in the Junction API key secret. While it is there the
 * tracker works from webhooks alone (CONTRACT §6) and never calls Junction.
 */
export const JUNCTION_API_KEY_PLACEHOLDER = 'REPLACE_ME: a Junction team API key enables reconciliation (docs/reconcile.md)';

export interface RedrawTrackerStackProps extends StackProps {
  readonly settings: Settings;
}

export class RedrawTrackerStack extends Stack {
  readonly table: Table;
  readonly webhook: TableBoundFunction;
  readonly transactionStatus: TableBoundFunction;
  readonly staleRedrawSweep: TableBoundFunction;
  readonly query: TableBoundFunction;
  /** POST /follow-ups/{follow_up_id}/actions (CONTRACT §9): only the HTTP API may invoke it. */
  readonly followUpActions: TableBoundFunction;
  /** The Slack buttons' function (CONTRACT §9, issue 32); null without the `slack` setting. */
  readonly chatButton: TableBoundFunction | null;
  readonly backfill: TableBoundFunction;
  readonly api: HttpApi;
  readonly eventBus: EventBus;
  readonly slack: SlackChannelConfiguration | null;
  /** The weekly digest's function and schedule (CONTRACT §11); null when `weeklyDigest` is false. */
  readonly weeklyDigest: WeeklyDigest | null;
  /** The console's hosting, sign-in and JWT routes (CONTRACT §12); null when the `console` setting is false. */
  readonly console: ConsoleSite | null;
  /** The FHIR Task writer, its stream mapping and dead-letter queue (CONTRACT §13); null without the `fhir` setting. */
  readonly fhirWriter: FhirWriter | null;
  /** The FHIR server's notifications: the route, its queue to the writer (CONTRACT §13); null without `fhir.notifySecretName`. */
  readonly fhirNotifications: FhirNotifications | null;

  constructor(scope: Construct, id: string, props: RedrawTrackerStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // Orders are PHI-adjacent: their own key, rotated, kept if the stack goes.
    const tableKey = new Key(this, 'TableKey', {
      description: 'redraw-tracker table and its stream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Everything operational (queue, topic, secrets, logs) shares a second key, so
    // that the service principals it must trust never get access to the table's key.
    const opsKey = new Key(this, 'OpsKey', {
      description: 'redraw-tracker logs, queue, topic and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    opsKey.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    // CloudWatch alarms publish to the encrypted alarm topic.
    opsKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: tableKey,
      stream: StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // One index added per release: CloudFormation adds at most one GSI per update (the worklist came alone).
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
        ...('nonKeyAttributes' in index ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      });
    }

    const logRetention = settings.logRetentionDays;
    const bound = { table: this.table, tableKey, logRetention, logKey: opsKey };

    // --- webhook ---------------------------------------------------------------
    const webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'Junction (Svix) webhook signing secrets, comma-separated whsec_ values; see docs/deploy.md',
      encryptionKey: opsKey,
      // Not a secret: a marker that makes every delivery fail (and Svix retry) until set.
      secretStringValue: SecretValue.unsafePlainText(WEBHOOK_SECRET_PLACEHOLDER),
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Junction generates and rotates the signing secret on its side; rotation means storing the new whsec_ value next to the old one (comma-separated, both verify) and dropping the old one later, so there is nothing for a Secrets Manager rotation function to do.',
    });

    this.webhook = new TableBoundFunction(this, 'Webhook', {
      ...bound,
      service: 'webhook',
      description: 'Verifies Junction webhooks and stores the newest state of each order',
      // The one conditional PutItem (orders and quarantined events); never reads. UpdateItem only
      // when a flagged order gets a newer copy of the same state (the flag stays, CONTRACT §4).
      access: { table: ['PutItem', 'UpdateItem'], queryIndexes: [] },
      // RETENTION_DAYS: an order's appointment item carries its own expiry (CONTRACT §8, §10).
      environment: { WEBHOOK_SECRET_ARN: webhookSecret.secretArn, RETENTION_DAYS: String(settings.retentionDays) },
      timeout: TIMEOUTS.http,
    });
    webhookSecret.grantRead(this.webhook.role);

    // --- events (CONTRACT §7) ----------------------------------------------------
    this.eventBus = new EventBus(this, 'Events', {
      description: 'redraw-tracker facts (order.status_changed, redraw.*, transaction.*, follow_up.changed): ids, statuses and times, no PHI (docs/events.md)',
    });

    // --- transaction status (stream) -------------------------------------------
    this.transactionStatus = new TableBoundFunction(this, 'TransactionStatus', {
      ...bound,
      service: 'transaction-status',
      description: 'Recomputes a transaction when one of its orders changes and publishes the facts of each write (table stream)',
      // Reads a transaction item and, when it must write an order, that order's item, by key; writes both.
      // Keeps each follow-up current (CONTRACT §9): one TransactWriteItems of puts (PutItem), and a
      // Query of the follow-up's own partition when its expiry changes (its history items).
      access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], queryIndexes: [] },
      // The table's one publisher: PutEvents on this bus only.
      eventBus: this.eventBus,
      environment: {
        RETENTION_DAYS: String(settings.retentionDays),
        // Follow-ups' due times follow the sweep's thresholds (CONTRACT §9).
        REDRAW_STALE_AFTER_DAYS: String(settings.redrawStaleAfterDays),
        REDRAW_MISSING_AFTER_HOURS: String(settings.redrawMissingAfterHours),
        APPOINTMENT_GRACE_HOURS: String(settings.appointmentGraceHours),
        // What opens a follow-up (CONTRACT §9): every result still missing, or redraws only.
        FOLLOW_UP_MISSING_RESULTS: settings.followUpMissingResults ? 'on' : 'off',
      },
      timeout: TIMEOUTS.stream,
    });
    const streamFailures = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: opsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the stream mapping (it receives the shard and sequence numbers of batches that kept failing); a queue behind it would only move the problem.',
    });
    this.transactionStatus.fn.addEventSource(
      new DynamoEventSource(this.table, { ...STREAM_MAPPING, onFailure: new SqsDlq(streamFailures) }),
    );
    // These three come from the grants CDK writes for the stream and the dead-letter queue.
    acknowledgeStreamConsumerGrants(this.transactionStatus.role);

    // --- Junction's API (reconciliation, CONTRACT §6) -------------------------------
    const junctionApiKey = new Secret(this, 'JunctionApiKey', {
      description: 'Junction team API key (x-vital-api-key) for reconciliation; the placeholder turns it off (docs/reconcile.md)',
      encryptionKey: opsKey,
      // Not a secret: the marker for "no key", replaced by an operator.
      secretStringValue: SecretValue.unsafePlainText(JUNCTION_API_KEY_PLACEHOLDER),
    });
    Validations.of(junctionApiKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Junction issues and revokes team API keys in its dashboard; rotating means storing the new key here (the functions read it again within 5 minutes), so there is nothing for a Secrets Manager rotation function to do.',
    });
    const junctionEnvironment = {
      JUNCTION_API_KEY_SECRET_ARN: junctionApiKey.secretArn,
      JUNCTION_API_BASE_URL: settings.junctionApiBaseUrl,
    };
    // Applying an order read from the API is the webhook's write plus the
    // transaction function's (its listing joins the transaction).
    const reconcileAccess = {
      table: ['GetItem', 'PutItem', 'UpdateItem'] as const,
      queryIndexes: [TABLE.openRedraws.indexName] as const,
    };

    // --- stale redraw sweep (hourly) --------------------------------------------
    // Alerts (kind=alert) and the weekly digest (kind=weekly_digest): subscribers filter on `kind`.
    const notifications = new Topic(this, 'Notifications', {
      displayName: 'redraw-tracker notifications',
      masterKey: opsKey,
      enforceSSL: true,
    });
    // Alarms have a topic of their own: CloudWatch's alarm messages carry no message attributes,
    // so a filter policy on `kind` would drop every one of them on the notifications topic.
    const alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'redraw-tracker alarms',
      masterKey: opsKey,
      enforceSSL: true,
    });
    if (settings.alarmEmail !== null) alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));

    // CONTRACT §13 (optional): the credential secret the `fhir` setting names, and the catch-up's access.
    const fhirSecrets = settings.fhir === null ? null : importFhirSecrets(this, settings.fhir);
    const sweepFhir = settings.fhir === null ? null : sweepFhirAccess();

    this.staleRedrawSweep = new TableBoundFunction(this, 'StaleRedrawSweep', {
      ...bound,
      service: 'stale-redraw-sweep',
      description: 'Flags redraws that stopped moving and notifies once per stale episode',
      // The continuous sync reads a page's held orders with one BatchGetItem (CONTRACT §6).
      // Each sweep reads the worklist's open partition (by-transaction index) for the follow-ups'
      // notices: redraw_failed, and with FOLLOW_UP_ACK_HOURS the not_acknowledged reminders (CONTRACT §9).
      // Its lease and its notifications' claims (LEASE#sweep, CLAIM#notification#...) are conditional
      // PutItem/UpdateItem, within the table-wide writes it has for reconciliation.
      // It deletes the records of orders whose missing results it read or gave up (CONTRACT §9 `missing`), and the
      // marks of the report's hours it built again (CONTRACT §11, store/report-units.ts), and nothing else.
      access: {
        table: [...reconcileAccess.table, 'BatchGetItem'],
        queryIndexes: [...reconcileAccess.queryIndexes, TABLE.byTransaction.indexName],
        // With `fhir`, also the catch-up's pending records and confirmation items (CONTRACT §13).
        partitionWrites: { actions: ['DeleteItem'], partitionPrefixes: [keys.resultsWanted('').pk, unitKeys.mark('hour', 0).pk, ...(sweepFhir?.deletePrefixes ?? [])] },
        // The report's units are built from the report rows, marks and hours: Queries of `REPORT#` partitions only;
        // with `fhir`, the pending records' partition (oldest first).
        partitionQueries: [REPORT_PARTITION_PREFIX, ...(sweepFhir?.partitionQueries ?? [])],
      },
      environment: {
        STALE_REDRAW_TOPIC_ARN: notifications.topicArn,
        REDRAW_STALE_AFTER_DAYS: String(settings.redrawStaleAfterDays),
        REDRAW_MISSING_AFTER_HOURS: String(settings.redrawMissingAfterHours),
        APPOINTMENT_GRACE_HOURS: String(settings.appointmentGraceHours),
        RECONCILE_AFTER_MINUTES: String(settings.reconcileAfterMinutes),
        SYNC_LOOKBACK_HOURS: String(settings.syncLookbackHours),
        SYNC_MAX_SECONDS: String(settings.syncMaxSeconds),
        // The sweep's lease ends its timeout after it was taken: one sweep at a time (CONTRACT §4).
        SWEEP_TIMEOUT_SECONDS: String(TIMEOUTS.sweep.toSeconds()),
        ...(settings.followUpAckHours === null ? {} : { FOLLOW_UP_ACK_HOURS: String(settings.followUpAckHours) }),
        // The alerts' subjects end with it; times also in ALERT_TIMEZONE when set (functions/notices/).
        ENVIRONMENT_NAME: settings.environmentName ?? this.stackName,
        ...(settings.alertTimeZone === null ? {} : { ALERT_TIMEZONE: settings.alertTimeZone }),
        ...junctionEnvironment,
        ...(settings.fhir === null || fhirSecrets === null ? {} : fhirWriterEnvironment(settings.fhir, fhirSecrets)),
      },
      timeout: TIMEOUTS.sweep,
    });
    junctionApiKey.grantRead(this.staleRedrawSweep.role);
    if (fhirSecrets !== null) grantFhirSecretRead(this.staleRedrawSweep, fhirSecrets);
    this.staleRedrawSweep.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [notifications.topicArn] }),
    );
    this.staleRedrawSweep.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'NotificationsKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [opsKey.keyArn],
      }),
    );
    new Rule(this, 'HourlySweep', {
      description: 'Runs the stale redraw sweep every hour',
      schedule: Schedule.rate(Duration.hours(1)),
      // EventBridge retries only a delivery Lambda refused (throttled, unavailable): none either,
      // the next hour's sweep comes anyway.
      targets: [new LambdaFunction(this.staleRedrawSweep.fn, { retryAttempts: 0 })],
    });
    // No retry of a failed sweep (issue 43): the schedule invokes it asynchronously, and Lambda
    // would otherwise run a failed one twice more. It throws only when DynamoDB failed some
    // orders, stops cleanly when its time runs low, and the next hourly sweep carries on from
    // what is stored: a retry would only re-ask Junction.
    this.staleRedrawSweep.fn.configureAsyncInvoke({ retryAttempts: 0 });

    // --- weekly digest (CONTRACT §11), to the same topic ------------------------------
    this.weeklyDigest = settings.weeklyDigest
      ? new WeeklyDigest(this, 'WeeklyDigest', {
          table: this.table,
          tableKey,
          logRetention,
          logKey: opsKey,
          settings,
          topic: notifications,
          topicKey: opsKey,
          environmentName: settings.environmentName ?? this.stackName,
        })
      : null;

    // --- backfill (invoked by hand, docs/deploy.md) --------------------------------
    this.backfill = new TableBoundFunction(this, 'Backfill', {
      ...bound,
      service: 'backfill',
      description: 'Backfills orders from Junction\'s API for a window of dates; continues itself before the 15-minute limit',
      access: reconcileAccess,
      environment: junctionEnvironment,
      timeout: TIMEOUTS.backfill,
    });
    junctionApiKey.grantRead(this.backfill.role);
    // The continuation: an asynchronous invoke of itself. A policy of its own (not
    // the role's default one, which the function depends on) avoids a cycle.
    new Policy(this, 'BackfillContinues', {
      roles: [this.backfill.role],
      statements: [
        new PolicyStatement({ sid: 'InvokeItself', actions: ['lambda:InvokeFunction'], resources: [this.backfill.fn.functionArn] }),
      ],
    });
    // A continuation that fails is retried by Lambda, then dropped: the checkpoint keeps the place.
    this.backfill.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });

    // --- query ------------------------------------------------------------------
    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'HMAC key that makes the query API pagination cursors tamper-evident',
      encryptionKey: opsKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signs pagination cursors only (no data access); it is resolved into the function configuration at deploy time, so a rotation takes a redeploy and merely invalidates cursors in flight. Rotate by generating a new value and deploying.',
    });
    this.query = new TableBoundFunction(this, 'Query', {
      ...bound,
      service: 'query',
      description: 'Answers GET /orders, /transactions, /redraws and /follow-ups (read only)',
      // The follow-ups' worklist lives in the by-transaction index (FOLLOWUPS# partitions); a
      // follow-up's history is a Query of its own partition in the table. An order is read with
      // its appointment by a Query of its partition; a page's (or a transaction's) appointments
      // with one BatchGetItem of their keys (CONTRACT §10). Owners' follow-ups read the worklist
      // index, then a page's follow-ups and their orders with one BatchGetItem each. Every read
      // held to the partitions it reads (dynamodb:LeadingKeys, store/key-prefixes.ts): never a quarantined body.
      // With `fhir`, also the follow-ups' confirmation items (FHIRTASK#<id>, CONTRACT §13).
      access: confinedReads(settings.fhir === null ? READER_PARTITIONS.query : withFhirConfirmations(READER_PARTITIONS.query), ['BatchGetItem', 'GetItem', 'Query'], [TABLE.openRedraws.indexName, TABLE.byTransaction.indexName, TABLE.worklist.indexName]),
      // A CloudFormation dynamic reference: the value never appears in the template.
      // DIGEST_TIMEZONE: a report's dates are days, and its weeks Monday to Sunday, in the digest's zone (CONTRACT §11).
      // With `fhir`, a follow-up's `fhir` (CONTRACT §13) from its confirmation item (FHIRTASK#<id>) and the addresses it names.
      environment: {
        CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
        DIGEST_TIMEZONE: settings.digestTimeZone,
        ...(settings.fhir === null ? {} : fhirAddressEnvironment(settings.fhir)),
      },
      timeout: TIMEOUTS.http,
    });

    // --- follow-up actions (CONTRACT §9) ---------------------------------------------
    // Both functions that act on follow-ups (the HTTP route and the chat buttons) read the
    // follow-up by key and its redraw order's stale flag (GetItem, store/follow-ups/
    // followUpViews), and write each change as one TransactWriteItems of conditional puts in
    // the follow-up's own partition (authorized as PutItem). Nothing else: no Query, no
    // UpdateItem, no index, and each action held to those partitions (dynamodb:LeadingKeys).
    const followUpPartition = keys.followUp('*').pk;
    const actOnFollowUps = {
      table: ['GetItem', 'PutItem'] as const,
      queryIndexes: [] as const,
      partitions: { GetItem: [followUpPartition, keys.order('*').pk], PutItem: [followUpPartition] },
    };
    // Due times follow the sweep's thresholds (CONTRACT §9).
    const thresholdEnvironment = {
      REDRAW_STALE_AFTER_DAYS: String(settings.redrawStaleAfterDays),
      REDRAW_MISSING_AFTER_HOURS: String(settings.redrawMissingAfterHours),
      APPOINTMENT_GRACE_HOURS: String(settings.appointmentGraceHours),
    };
    this.followUpActions = new TableBoundFunction(this, 'FollowUpActions', {
      ...bound,
      service: 'follow-up-actions',
      description: 'Applies a person\'s action to a follow-up (POST /follow-ups/{id}/actions; only the HTTP API may invoke it)',
      access: actOnFollowUps,
      environment: {
        ...thresholdEnvironment,
        // CONTRACT §12: the console's users may need a group to close or reopen.
        ...(settings.console && settings.consoleCloseGroup !== null ? { CLOSE_REQUIRES_GROUP: settings.consoleCloseGroup } : {}),
      },
      timeout: TIMEOUTS.http,
    });
    // The Slack buttons (lib/chat-actions.ts): a function of their own, which takes a button's
    // payload only and can do only what the two buttons do, recorded as `chat:<channel id>`.
    // The notification names it (a command is at most 100 characters): a fixed name.
    this.chatButton =
      settings.slack === null
        ? null
        : new TableBoundFunction(this, 'ChatButton', {
            ...bound,
            service: 'chat-button',
            description: 'The Slack buttons: acknowledges or snoozes a follow-up for 2 days, if unchanged since the alert',
            access: actOnFollowUps,
            environment: { ...thresholdEnvironment, CHAT_CHANNEL_ID: settings.slack.channelId },
            timeout: TIMEOUTS.http,
          });
    if (this.chatButton !== null) (this.chatButton.fn.node.defaultChild as CfnFunction).functionName = CHAT_BUTTON_FUNCTION_NAME;

    // --- FHIR Tasks in the team's EHR (CONTRACT §13): optional, off by default ---------------
    this.fhirWriter =
      settings.fhir === null || fhirSecrets === null
        ? null
        : // It applies the EHR's work as a person's action (CONTRACT §13): the follow-up actions' access and thresholds.
          new FhirWriter(this, 'Fhir', { ...bound, fhir: settings.fhir, secrets: fhirSecrets, queueKey: opsKey, followUpActions: actOnFollowUps, thresholds: thresholdEnvironment });
    // Its notifications (issue 71): only with a notify secret named; the route is added to the HTTP API below.
    const notifySecret = importNotifySecret(this, settings.fhir);
    this.fhirNotifications =
      this.fhirWriter === null || notifySecret === null
        ? null
        : new FhirNotifications(this, 'FhirNotifications', { secret: notifySecret, writer: this.fhirWriter.function.fn, opsKey, logRetention });

    // --- HTTP API ---------------------------------------------------------------
    this.api = new HttpApi(this, 'Api', {
      description: 'redraw-tracker: Junction webhooks in, orders and redraws out',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, encryptionKey: opsKey });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Route keys and ids only: no bodies, no query strings.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            sourceIp: '$context.identity.sourceIp',
            userArn: '$context.identity.userArn',
          }),
        ),
      },
    });

    const [webhookRoute] = this.api.addRoutes({
      path: WEBHOOK_ROUTE.path,
      methods: [HttpMethod[WEBHOOK_ROUTE.method]],
      integration: new HttpLambdaIntegration('WebhookIntegration', this.webhook.fn),
    });
    if (webhookRoute === undefined) throw new Error('the webhook route was not created');
    // The webhook route's own limits: a Junction "Recover" (Svix replaying days of webhooks)
    // cannot starve the query routes, nor an operator's script the webhooks. Detailed metrics
    // give the route its own 4xx (throttling answers 429) for the WebhookThrottled alarm.
    // HttpStage has no per-route settings; the stage must wait for the route it names.
    const cfnStage = stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = {
      [WEBHOOK_ROUTE.key]: {
        ThrottlingRateLimit: settings.webhookRateLimit,
        ThrottlingBurstLimit: settings.webhookBurstLimit,
        DetailedMetricsEnabled: true,
      },
    };
    stage.node.addDependency(webhookRoute);
    // The FHIR server's notifications (CONTRACT §13): their own throttling, the same API.
    if (this.fhirNotifications !== null && settings.fhir !== null) {
      for (const route of this.fhirNotifications.addRoutes(this.api, cfnStage, settings.fhir)) stage.node.addDependency(route);
    }
    Validations.of(webhookRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Junction cannot sign requests with AWS credentials; every delivery carries a Svix signature (HMAC-SHA256 over id, timestamp and body, 5-minute tolerance) that the webhook function verifies before reading the body. That signature is the authentication of this route.',
    });
    const iam = new HttpIamAuthorizer();
    const queryIntegration = new HttpLambdaIntegration('QueryIntegration', this.query.fn);
    for (const path of ['/orders/{order_id}', '/transactions/{transaction_id}', '/redraws', '/follow-ups', '/follow-ups/{follow_up_id}', '/follow-ups/counts', '/reports/redraws', '/me']) {
      this.api.addRoutes({ path, methods: [HttpMethod.GET], integration: queryIntegration, authorizer: iam });
    }
    // The caller's IAM identity (requestContext.authorizer.iam.userArn) is the actor of the action.
    // The integration's permission is the function's whole resource policy: apigateway.amazonaws.com
    // from this API's route only; no role of the stack is granted lambda:InvokeFunction on it.
    this.api.addRoutes({
      path: '/follow-ups/{follow_up_id}/actions',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('FollowUpActionsIntegration', this.followUpActions.fn),
      authorizer: iam,
    });

    // --- the console (CONTRACT §12): optional, on by default -------------------------------
    this.console = settings.console
      ? new ConsoleSite(this, 'Console', {
          api: this.api,
          query: this.query.fn,
          followUpActions: this.followUpActions.fn,
          domainPrefix: settings.consoleDomainPrefix ?? `redraw-tracker-${this.account}`,
          tier: settings.consoleTier,
          closeGroup: settings.consoleCloseGroup,
          countries: settings.consoleCountries,
          site: consoleSite(),
          logRetention,
          logKey: opsKey,
        })
      : null;
    // The alerts link to their follow-up in the console, the digest to its worklist of what needs attention:
    // CONSOLE_URL is the distribution's URL (ConsoleUrl). Without the console it is not set, and nothing links.
    // No cycle: the distribution depends on the API and the bucket, never on these two functions.
    // With FHIR on, the writer and the query function compute the Task's digest, which carries the link (CONTRACT §13).
    if (this.console !== null) {
      this.staleRedrawSweep.fn.addEnvironment('CONSOLE_URL', this.console.url);
      this.weeklyDigest?.function.fn.addEnvironment('CONSOLE_URL', this.console.url);
      if (this.fhirWriter !== null) {
        this.fhirWriter.function.fn.addEnvironment('CONSOLE_URL', this.console.url);
        this.query.fn.addEnvironment('CONSOLE_URL', this.console.url);
      }
    }
    // The console's routes reach the query and actions functions, which verify the caller's access token
    // themselves (CONTRACT §12, issue 45): against this pool and app client. `none` without the console
    // (its routes are then 401); a function without either setting fails when it starts.
    const signIn =
      this.console === null
        ? { CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'none' }
        : { CONSOLE_USER_POOL_ID: this.console.userPool.userPoolId, CONSOLE_CLIENT_ID: this.console.client.userPoolClientId };
    for (const fn of [this.query.fn, this.followUpActions.fn]) {
      for (const [name, value] of Object.entries(signIn)) fn.addEnvironment(name, value);
    }

    // --- alarms and dashboard -----------------------------------------------------
    new Monitoring(this, 'Monitoring', {
      settings,
      webhookRoute: { apiId: this.api.apiId, stage: stage.stageName, method: WEBHOOK_ROUTE.method, resource: WEBHOOK_ROUTE.path },
      topic: alarmTopic,
      deadLetters: streamFailures,
      webhook: this.webhook.fn,
      transactionStatus: this.transactionStatus.fn,
      staleRedrawSweep: this.staleRedrawSweep.fn,
      query: this.query.fn,
      followUpActions: this.followUpActions.fn,
      chatButton: this.chatButton?.fn ?? null,
      backfill: this.backfill.fn,
      weeklyDigest: this.weeklyDigest?.function.fn ?? null,
      fhir:
        this.fhirWriter === null || settings.fhir === null
          ? null
          : {
              writer: this.fhirWriter.function.fn,
              deadLetters: this.fhirWriter.deadLetters,
              pollSeconds: settings.fhir.pollSeconds,
              notifications: this.fhirNotifications === null ? null : { route: this.fhirNotifications.function.fn, deadLetters: this.fhirNotifications.deadLetters, queue: this.fhirNotifications.queue },
            },
    });

    // --- chat (optional): Amazon Q Developer in chat applications, on the topic ----------
    this.slack = null;
    if (settings.slack !== null) {
      const chatLogs = LoggingLevel.ERROR;
      this.slack = new SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName: `${this.stackName}-notifications`,
        slackWorkspaceId: settings.slack.workspaceId,
        slackChannelId: settings.slack.channelId,
        // The alerts and digests, and the alarms: a stack with `slack` and no `alarmEmail` still reaches someone.
        notificationTopics: [notifications, alarmTopic],
        // Amazon Q Developer writes its own log group (/aws/chatbot/<name>, us-east-1); a
        // retention set from here would take a custom-resource Lambda with a wildcard policy.
        loggingLevel: chatLogs,
        // Never more than read; ChatActions (below) narrows it to the buttons' one invocation.
        guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
        userRoleRequired: false,
      });
      // Amazon Q Developer decrypts both topics' messages with the operations key.
      opsKey.grant(new ServicePrincipal('chatbot.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      // "Acknowledge" and "Snooze 2 days" on the stale-redraw notification (lib/chat-actions.ts): the
      // channel's role and guardrail may invoke the chat button function, and nothing else.
      if (this.chatButton === null) throw new Error('the chat button function exists with the slack setting');
      new ChatActions(this, 'ChatActions', { fn: this.chatButton.fn, channel: this.slack });
    }

    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName, description: 'Rules on this bus receive the tracker\'s events (source redraw-tracker; docs/events.md)' });
    new CfnOutput(this, 'EventBusArn', { value: this.eventBus.eventBusArn });
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'WebhookUrl', {
      value: `${stage.url}webhooks/junction`,
      description: 'Register this URL as the webhook endpoint in the Junction dashboard',
    });
    if (this.fhirNotifications !== null) {
      new CfnOutput(this, 'FhirNotificationsUrl', {
        value: `${stage.url}fhir/notifications`,
        description: "The endpoint of the EHR's Subscription (channel.endpoint): POST, and HAPI's PUT/DELETE .../Task/{id} (docs/deploy.md)",
      });
    }
    new CfnOutput(this, 'WebhookSecretArn', {
      value: webhookSecret.secretArn,
      description: 'Put the whsec_ signing secret(s) here (docs/deploy.md)',
    });
    new CfnOutput(this, 'JunctionApiKeySecretArn', {
      value: junctionApiKey.secretArn,
      description: 'Put a Junction team API key here to turn reconciliation on (docs/reconcile.md)',
    });
    new CfnOutput(this, 'BackfillFunctionName', {
      value: this.backfill.fn.functionName,
      description: 'aws lambda invoke --function-name <this> --payload \'{"since":"2026-01-01"}\' (docs/deploy.md)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'NotificationsTopicArn', {
      value: notifications.topicArn,
      description: 'Alerts (kind=alert) and the weekly digest (kind=weekly_digest): subscribe with a filter policy on kind (docs/deploy.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn, description: 'Every CloudWatch alarm (and the alarmEmail subscription): subscribe on-call here' });
  }
}
