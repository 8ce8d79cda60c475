/**
 * The weekly digest on AWS (CONTRACT §11, issue 27 item 3): its function, bound
 * to the table to read, and to write its own weeks' claims only (once a week,
 * however often the schedule fires), allowed to publish to the notification topic, and the
 * EventBridge Scheduler schedule that runs it at digestDay digestHour in
 * digestTimeZone (cdk.json). The schedule's own time zone keeps 08:00 at 08:00
 * across DST changes, which an EventBridge rule (UTC only) cannot.
 *
 * Retries, in two layers: Scheduler invokes Lambda asynchronously, so its retry
 * policy covers delivering the invocation (Lambda throttling or unavailable);
 * a digest that fails (DynamoDB or SNS refusing) is retried by Lambda's
 * asynchronous invocation, twice, about one and three minutes later. Each failed
 * attempt counts in the function's Errors metric, which the WeeklyDigestErrors
 * alarm watches (lib/monitoring.ts).
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { READER_PARTITIONS } from '../functions/store/key-prefixes';
import { TABLE } from '../functions/store/table';
import { CLAIM_PARTITION_PREFIX, CLAIM_SCOPES } from '../functions/store/keys';
import type { Settings } from './settings';
import { confinedReads, TableBoundFunction, type TableBoundFunctionProps } from './table-bound-function';

/** How the schedule and Lambda retry a digest; exported so the tests check the stack against it. */
export const DIGEST_RETRIES = {
  /** Scheduler: attempts to deliver the invocation to Lambda, within maxEventAge. */
  scheduler: { retryAttempts: 3, maxEventAge: Duration.hours(1) },
  /** Lambda's asynchronous invocation: retries of a digest that failed (its maximum, 2). */
  function: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
} as const;

/** The digest reads the report and the overdue follow-ups (a few Queries, store/reports.ts) and writes its week's claim. */
export const DIGEST_TIMEOUT = Duration.seconds(60);

export interface WeeklyDigestProps extends Pick<TableBoundFunctionProps, 'table' | 'tableKey' | 'logRetention' | 'logKey'> {
  readonly settings: Pick<Settings, 'digestDay' | 'digestHour' | 'digestTimeZone'>;
  /** The notification topic (the alerts' topic) and the key it is encrypted with. */
  readonly topic: ITopic;
  readonly topicKey: IKey;
  /** Ends the digest's subject, as the alerts' (ENVIRONMENT_NAME). */
  readonly environmentName: string;
}

export class WeeklyDigest extends Construct {
  readonly function: TableBoundFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: WeeklyDigestProps) {
    super(scope, id);
    const { settings } = props;
    this.function = new TableBoundFunction(this, 'Digest', {
      table: props.table,
      tableKey: props.tableKey,
      logRetention: props.logRetention,
      logKey: props.logKey,
      service: 'weekly-digest',
      description: 'Publishes last week\'s redraw report and the most overdue follow-ups to the notification topic (weekly)',
      // Queries (store/reports.ts): the report's rows in the table, the stale flags in the
      // open-redraws index, the open follow-ups' worklist in the by-transaction index, held to
      // those partitions (dynamodb:LeadingKeys, store/key-prefixes.ts): never a quarantined body.
      // Its only writes: the week's claim (CONTRACT §11, once a week), a conditional PutItem and
      // its mark, an UpdateItem, on its own claims' partitions alone (CLAIM#digest#...).
      access: {
        ...confinedReads(READER_PARTITIONS.digest, ['Query'], [TABLE.byTransaction.indexName, TABLE.openRedraws.indexName]),
        partitionWrites: { actions: ['PutItem', 'UpdateItem'], partitionPrefixes: [`${CLAIM_PARTITION_PREFIX}${CLAIM_SCOPES.digest}#`] },
      },
      environment: {
        NOTIFICATIONS_TOPIC_ARN: props.topic.topicArn,
        DIGEST_TIMEZONE: settings.digestTimeZone,
        ENVIRONMENT_NAME: props.environmentName,
      },
      timeout: DIGEST_TIMEOUT,
    });
    const role = this.function.role;
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'NotificationsKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.topicKey.keyArn] }));
    this.function.fn.configureAsyncInvoke(DIGEST_RETRIES.function);

    this.schedule = new Schedule(this, 'Schedule', {
      description: `Sends the weekly redraw digest every ${settings.digestDay} at ${String(settings.digestHour).padStart(2, '0')}:00 ${settings.digestTimeZone}`,
      schedule: ScheduleExpression.cron({
        minute: '0',
        hour: String(settings.digestHour),
        weekDay: settings.digestDay,
        timeZone: TimeZone.of(settings.digestTimeZone),
      }),
      target: new LambdaInvoke(this.function.fn, { ...DIGEST_RETRIES.scheduler, role: this.schedulerRole() }),
    });
  }

  /**
   * The role the schedule invokes the function with: its own (the target would
   * otherwise make one at the stack's root), assumable by EventBridge Scheduler
   * for this account's default schedule group only.
   */
  private schedulerRole(): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'SchedulerRole', {
      description: 'redraw-tracker weekly digest schedule: invokes the digest function',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    // The finding names the function by its logical id: `<Logical.Arn>:*`.
    const functionId = stack.getLogicalId(this.function.fn.node.defaultChild as CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'Written by the Lambda target (grantInvoke): the digest function\'s ARN and its versions and aliases (<arn>:*) of that one function; the schedule invokes the unqualified ARN.',
    });
    return role;
  }
}
