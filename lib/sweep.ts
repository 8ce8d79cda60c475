/**
 * The hourly sweep and Junction's API (CONTRACT §4, §6): the stale-redraw sweep on its schedule (it flags redraws
 * that stopped moving, reconciles with Junction's API, keeps the continuous sync, reads missing results, sends the
 * follow-ups' notices and, with `fhir`, catches up the Tasks still pending), the secret that holds the Junction
 * API key, and the backfill an operator invokes by hand (docs/deploy.md).
 */
import { CfnOutput, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { keys, REPORT_PARTITION_PREFIX, unitKeys } from '../functions/store/keys';
import { TABLE } from '../functions/store/table';
import { closeGroupOf, fhirWriterEnvironment, grantFhirSecretRead, sweepFhirAccess } from './fhir';
import type { FhirTasks } from './fhir-tasks';
import { Grouping } from './grouping';
import type { Settings } from './settings';
import type { TableBinding } from './storage';
import { TableBoundFunction, TIMEOUTS } from './table-bound-function';

/**
 * The placeholder stored in the Junction API key secret. While it is there the
 * tracker works from webhooks alone (CONTRACT §6) and never calls Junction.
 */
export const JUNCTION_API_KEY_PLACEHOLDER = 'REPLACE_ME: a Junction team API key enables reconciliation (docs/reconcile.md)';

/** Applying an order read from the API is the webhook's write plus the transaction function's (its listing joins the transaction). */
const RECONCILE_ACCESS = { table: ['GetItem', 'PutItem', 'UpdateItem'], queryIndexes: [TABLE.openRedraws.indexName] } as const;

/** Junction's API key secret and the variables a function reads it by. */
export interface JunctionKey {
  readonly secret: ISecret;
  readonly environment: Record<string, string>;
}

export interface SweepProps {
  readonly binding: TableBinding;
  /** Alerts (kind=alert) and the weekly digest (kind=weekly_digest), encrypted with the operations key. */
  readonly notifications: ITopic;
  readonly settings: Settings;
  /** FHIR Tasks (CONTRACT §13): the sweep's catch-up writes what is still pending; null without the `fhir` setting. */
  readonly fhir: FhirTasks | null;
}

export class Sweep extends Grouping {
  /** The stale-redraw sweep's function. */
  readonly function: TableBoundFunction;
  readonly backfill: TableBoundFunction;
  /** Junction's API key (CONTRACT §6) and the variables that name it: the query and actions functions read it too (§14). */
  readonly junction: JunctionKey;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const junctionApiKey = new Secret(this, 'JunctionApiKey', {
      description: 'Junction team API key (x-vital-api-key) for reconciliation; the placeholder turns it off (docs/reconcile.md)',
      encryptionKey: props.binding.logKey,
      // Not a secret: the marker for "no key", replaced by an operator.
      secretStringValue: SecretValue.unsafePlainText(JUNCTION_API_KEY_PLACEHOLDER),
    });
    Validations.of(junctionApiKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Junction issues and revokes team API keys in its dashboard; rotating means storing the new key here (the functions read it again within 5 minutes), so there is nothing for a Secrets Manager rotation function to do.',
    });
    const junction = { JUNCTION_API_KEY_SECRET_ARN: junctionApiKey.secretArn, JUNCTION_API_BASE_URL: props.settings.junctionApiBaseUrl };
    this.junction = { secret: junctionApiKey, environment: junction };
    this.function = this.sweepFunction(props, junction);
    junctionApiKey.grantRead(this.function.role);
    if (props.fhir !== null) grantFhirSecretRead(this.function, props.fhir.secrets);
    this.function.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [props.notifications.topicArn] }));
    this.function.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'NotificationsKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.binding.logKey.keyArn] }));
    new Rule(this, 'HourlySweep', {
      description: 'Runs the stale redraw sweep every hour',
      schedule: Schedule.rate(Duration.hours(1)),
      // EventBridge retries only a delivery Lambda refused (throttled, unavailable): none either,
      // the next hour's sweep comes anyway.
      targets: [new LambdaFunction(this.function.fn, { retryAttempts: 0 })],
    });
    // No retry of a failed sweep (issue 43): the schedule invokes it asynchronously, and Lambda
    // would otherwise run a failed one twice more. It throws only when DynamoDB failed some
    // orders, stops cleanly when its time runs low, and the next hourly sweep carries on from
    // what is stored: a retry would only re-ask Junction.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0 });

    this.backfill = this.backfillFunction(props.binding, junction);
    junctionApiKey.grantRead(this.backfill.role);
    new CfnOutput(this, 'JunctionApiKeySecretArn', { value: junctionApiKey.secretArn, description: 'Put a Junction team API key here to turn reconciliation on (docs/reconcile.md)' });
  }

  /**
   * The sweep's function is the stack's own child, not this group's: the schedule's permission to invoke it is named
   * after the function's construct path (and the tests find it at RedrawTracker/StaleRedrawSweep).
   */
  private sweepFunction({ binding, settings, fhir, notifications }: SweepProps, junction: Record<string, string>): TableBoundFunction {
    const fhirAccess = fhir === null ? null : sweepFhirAccess();
    return new TableBoundFunction(Stack.of(this), 'StaleRedrawSweep', {
      ...binding,
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
        table: [...RECONCILE_ACCESS.table, 'BatchGetItem'],
        queryIndexes: [...RECONCILE_ACCESS.queryIndexes, TABLE.byTransaction.indexName],
        // With `fhir`, also the catch-up's pending records and confirmation items (CONTRACT §13).
        partitionWrites: { actions: ['DeleteItem'], partitionPrefixes: [keys.resultsWanted('').pk, unitKeys.mark('hour', 0).pk, ...(fhirAccess?.deletePrefixes ?? [])] },
        // The report's units are built from the report rows, marks and hours: Queries of `REPORT#` partitions only;
        // with `fhir`, the pending records' partition (oldest first).
        partitionQueries: [REPORT_PARTITION_PREFIX, ...(fhirAccess?.partitionQueries ?? [])],
      },
      environment: {
        STALE_REDRAW_TOPIC_ARN: notifications.topicArn,
        ...sweepSettingsEnvironment(settings, Stack.of(this).stackName),
        ...junction,
        ...(fhir === null ? {} : fhirWriterEnvironment(fhir.settings, fhir.secrets, closeGroupOf(settings))),
      },
      timeout: TIMEOUTS.sweep,
    });
  }

  /** The backfill (invoked by hand, docs/deploy.md): reconciliation's access, for a window of dates. */
  private backfillFunction(binding: TableBinding, junction: Record<string, string>): TableBoundFunction {
    const backfill = new TableBoundFunction(this, 'Backfill', {
      ...binding,
      service: 'backfill',
      description: "Backfills orders from Junction's API for a window of dates; continues itself before the 15-minute limit",
      access: RECONCILE_ACCESS,
      environment: junction,
      timeout: TIMEOUTS.backfill,
    });
    // The continuation: an asynchronous invoke of itself. A policy of its own (not
    // the role's default one, which the function depends on) avoids a cycle.
    new Policy(this, 'BackfillContinues', {
      roles: [backfill.role],
      statements: [new PolicyStatement({ sid: 'InvokeItself', actions: ['lambda:InvokeFunction'], resources: [backfill.fn.functionArn] })],
    });
    // A continuation that fails is retried by Lambda, then dropped: the checkpoint keeps the place.
    backfill.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    new CfnOutput(this, 'BackfillFunctionName', {
      value: backfill.fn.functionName,
      description: 'aws lambda invoke --function-name <this> --payload \'{"since":"2026-01-01"}\' (docs/deploy.md)',
    });
    return backfill;
  }
}

/** The sweep's thresholds and limits, and how its alerts name the environment (functions/notices/). */
function sweepSettingsEnvironment(settings: Settings, stackName: string): Record<string, string> {
  return {
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
    ENVIRONMENT_NAME: settings.environmentName ?? stackName,
    ...(settings.alertTimeZone === null ? {} : { ALERT_TIMEZONE: settings.alertTimeZone }),
  };
}
