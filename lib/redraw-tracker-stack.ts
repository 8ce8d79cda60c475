/**
 * The tracker on AWS, one part per concern: the table and its keys (lib/storage.ts), webhooks in through the HTTP
 * API (lib/ingest.ts), the table's stream (lib/stream.ts), the events bus (lib/event-facts.ts), the hourly sweep
 * and Junction's API (lib/sweep.ts), the weekly digest, the query and action routes (lib/queries.ts), and the
 * alarms and dashboard (lib/monitoring.ts). FHIR Tasks, chat and the console are optional, each added in one place.
 *
 * The parts are grouping constructs (lib/grouping.ts): every resource keeps the logical id it had when the stack
 * was one constructor, so a deploy of this shape replaces nothing (test/infra/templates.test.ts).
 */
import { CfnOutput, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { Chat } from './chat';
import { ConsoleSite } from './console';
import { consoleSite } from './console-bundle';
import { EventFacts } from './event-facts';
import type { FhirWriter } from './fhir';
import type { FhirNotifications } from './fhir-notifications';
import { addFhirTasks, type FhirTasks } from './fhir-tasks';
import { GroupedStack } from './grouping';
import { Ingest, WEBHOOK_ROUTE } from './ingest';
import { Monitoring } from './monitoring';
import { Queries } from './queries';
import type { Settings } from './settings';
import { Storage, type TableBinding } from './storage';
import { TransactionStream } from './stream';
import { Sweep } from './sweep';
import type { TableBoundFunction } from './table-bound-function';
import { WeeklyDigest } from './weekly-digest';

export { WEBHOOK_ROUTE, WEBHOOK_SECRET_PLACEHOLDER } from './ingest';
export { STREAM_MAPPING } from './stream';
export { JUNCTION_API_KEY_PLACEHOLDER } from './sweep';

export interface RedrawTrackerStackProps extends StackProps {
  readonly settings: Settings;
}

/** The alerts' and digests' topic, and the alarms' own. */
interface Topics {
  readonly notifications: Topic;
  readonly alarms: Topic;
}

export class RedrawTrackerStack extends GroupedStack {
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
    const storage = new Storage(this, 'Storage', { logRetention: settings.logRetentionDays });
    const binding = storage.binding;
    const ingest = new Ingest(this, 'Ingest', { binding, settings });
    const facts = new EventFacts(this, 'Facts');
    const stream = new TransactionStream(this, 'Stream', { binding, eventBus: facts.bus, settings });
    const topics = this.addTopics(storage.opsKey, settings.alarmEmail);
    const fhir = addFhirTasks(this, { binding, settings, ingest });
    const sweep = new Sweep(this, 'Sweep', { binding, notifications: topics.notifications, settings, fhir });
    this.weeklyDigest = settings.weeklyDigest ? this.addDigest(binding, topics.notifications, settings) : null;
    const queries = new Queries(this, 'Queries', { binding, api: ingest.api, settings, junction: sweep.junction });
    const chat = settings.slack === null ? null : new Chat(this, 'Chat', { binding, slack: settings.slack, settings, topics: [topics.notifications, topics.alarms] });
    // The alerts and the digest link to the console; with FHIR, so does the Task's digest (the writer's and the query's).
    const linked = [sweep.function.fn, this.weeklyDigest?.function.fn, ...(fhir === null ? [] : [fhir.writer.function.fn, queries.query.fn])];
    this.console = settings.console ? this.addConsole(settings, binding, ingest.api, queries, linked) : null;
    queries.signInWith(this.console);

    this.table = storage.table;
    this.webhook = ingest.webhook;
    this.api = ingest.api;
    this.eventBus = facts.bus;
    this.transactionStatus = stream.function;
    this.staleRedrawSweep = sweep.function;
    this.backfill = sweep.backfill;
    this.query = queries.query;
    this.followUpActions = queries.followUpActions;
    this.chatButton = chat?.chatButton ?? null;
    this.slack = chat?.slack ?? null;
    this.fhirWriter = fhir?.writer ?? null;
    this.fhirNotifications = fhir?.notifications ?? null;
    this.addMonitoring(settings, ingest, stream, topics.alarms, fhir);
  }

  /**
   * Alerts (kind=alert) and the weekly digest (kind=weekly_digest) on one topic: subscribers filter on `kind`.
   * Alarms have a topic of their own: CloudWatch's alarm messages carry no message attributes, so a filter policy
   * on `kind` would drop every one of them on the notifications topic.
   */
  private addTopics(opsKey: Key, alarmEmail: string | null): Topics {
    const notifications = new Topic(this, 'Notifications', { displayName: 'redraw-tracker notifications', masterKey: opsKey, enforceSSL: true });
    const alarms = new Topic(this, 'AlarmTopic', { displayName: 'redraw-tracker alarms', masterKey: opsKey, enforceSSL: true });
    if (alarmEmail !== null) alarms.addSubscription(new EmailSubscription(alarmEmail));
    new CfnOutput(this, 'NotificationsTopicArn', {
      value: notifications.topicArn,
      description: 'Alerts (kind=alert) and the weekly digest (kind=weekly_digest): subscribe with a filter policy on kind (docs/deploy.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn, description: 'Every CloudWatch alarm (and the alarmEmail subscription): subscribe on-call here' });
    return { notifications, alarms };
  }

  /** The weekly digest (CONTRACT §11), to the notifications topic. */
  private addDigest(binding: TableBinding, topic: Topic, settings: Settings): WeeklyDigest {
    return new WeeklyDigest(this, 'WeeklyDigest', { ...binding, settings, topic, topicKey: binding.logKey, environmentName: settings.environmentName ?? this.stackName });
  }

  /**
   * The console (CONTRACT §12), on by default. The alerts link to their follow-up in it, the digest to its worklist,
   * and with FHIR on the writer and the query function compute the Task's digest, which carries the link: CONSOLE_URL,
   * the distribution's URL. Without the console it is not set, and nothing links. No cycle: the distribution depends
   * on the API and the bucket, never on these functions.
   */
  private addConsole(settings: Settings, binding: TableBinding, api: HttpApi, queries: Queries, linked: ReadonlyArray<LambdaFunction | null | undefined>): ConsoleSite {
    const site = new ConsoleSite(this, 'Console', {
      api,
      query: queries.query.fn,
      followUpActions: queries.followUpActions.fn,
      domainPrefix: settings.consoleDomainPrefix ?? `redraw-tracker-${this.account}`,
      tier: settings.consoleTier,
      closeGroup: settings.consoleCloseGroup,
      bookingGroup: settings.consoleBookingGroup,
      countries: settings.consoleCountries,
      site: consoleSite(),
      logRetention: binding.logRetention,
      logKey: binding.logKey,
    });
    for (const fn of linked) if (fn) fn.addEnvironment('CONSOLE_URL', site.url);
    return site;
  }

  /** The alarms (to the alarm topic) and the dashboard. */
  private addMonitoring(settings: Settings, ingest: Ingest, stream: TransactionStream, topic: Topic, fhir: FhirTasks | null): void {
    new Monitoring(this, 'Monitoring', {
      settings,
      webhookRoute: { apiId: ingest.api.apiId, stage: ingest.stage.stageName, method: WEBHOOK_ROUTE.method, resource: WEBHOOK_ROUTE.path },
      topic,
      deadLetters: stream.deadLetters,
      webhook: this.webhook.fn,
      transactionStatus: this.transactionStatus.fn,
      staleRedrawSweep: this.staleRedrawSweep.fn,
      query: this.query.fn,
      followUpActions: this.followUpActions.fn,
      chatButton: this.chatButton?.fn ?? null,
      backfill: this.backfill.fn,
      weeklyDigest: this.weeklyDigest?.function.fn ?? null,
      fhir:
        fhir === null
          ? null
          : {
              writer: fhir.writer.function.fn,
              deadLetters: fhir.writer.deadLetters,
              pollSeconds: fhir.settings.pollSeconds,
              notifications: fhir.notifications === null ? null : { route: fhir.notifications.function.fn, deadLetters: fhir.notifications.deadLetters, queue: fhir.notifications.queue },
            },
    });
  }
}
