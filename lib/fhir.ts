/**
 * The follow-ups as FHIR R4 Tasks in the team's EHR (CONTRACT §13), on AWS: only with the
 * `fhir` setting; without it nothing here is built and the template is what it was.
 *
 * The writer is a function of its own on the table's stream (its own event source mapping,
 * filtered to follow-up items), so that an EHR's timeouts and failures never hold up the
 * transaction function's work on the same stream. The sweep's catch-up sends what is still
 * pending; the query function reads the confirmation item to answer `fhir` (CONTRACT §13).
 *
 * Work done in the EHR comes back (CONTRACT §13): a schedule of the writer's own, every
 * `pollSeconds`, reads the Tasks changed in the EHR, and the writer applies that work as the
 * person's §9 actions: it gains the follow-up actions' write access (and thresholds) and no more.
 *
 * The credential lives in Secrets Manager, created by the operator (docs/deploy.md, "Your
 * EHR"): the stack takes the secret's name and grants its readers GetSecretValue on it alone.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FHIR_RETRY_EVENT, FHIR_RETRY_SECONDS } from '../functions/core/fhir/retry';
import { FHIR_CONFIRMATION_PREFIX, FHIR_PENDING_PARTITION, FHIR_POLL_PARTITION, FHIR_SEED_PARTITION, keys } from '../functions/store/keys';
import { A, FHIR_MARKER_VALUE } from '../functions/store/follow-ups/item';
import type { ReaderPartitions } from '../functions/store/key-prefixes';
import { TABLE } from '../functions/store/table';
import type { FhirSettings, Settings } from './settings';
import { type TableAccess, TableBoundFunction, type TableBoundFunctionProps, acknowledgeStreamConsumerGrants } from './table-bound-function';

/**
 * The partitions the FHIR items live in (functions/store/keys/fhir.ts builds the keys): each follow-up's
 * confirmation item has a partition of its own (`FHIRTASK#<id>`, sort key `FHIRTASK`), the pending records share
 * one (`FHIR#PENDING`, sort key `<opened_at>#<id>`), and so do the first switch-on's progress (`FHIR#SEED`) and the
 * poll's cursors (`FHIR#POLL`).
 */
export const FHIR_PARTITIONS = {
  /** `FOLLOWUP#` (from the follow-up's key builder): the follow-up and its history, read only. */
  followUpPrefix: keys.followUp('').pk,
  /** `FHIRTASK#`: the confirmation items, one partition per follow-up. */
  confirmationPrefix: FHIR_CONFIRMATION_PREFIX,
  /** The pending records' one partition. */
  pending: FHIR_PENDING_PARTITION,
  /** The first switch-on's progress (the sweep's only). */
  seed: FHIR_SEED_PARTITION,
  /** The poll's cursor, one item per base URL (the writer's only; functions/store/fhir-poll.ts). */
  poll: FHIR_POLL_PARTITION,
} as const;

/**
 * The writer's event source mapping (CONTRACT §13: fed within a minute of each write to a follow-up item,
 * retried, a dead-letter queue and an alarm). Exported so that the tests check the stack against it.
 *
 * TRIM_HORIZON rather than LATEST: when `fhir` is switched on (or the mapping is ever recreated) the
 * writer starts from the oldest record the stream keeps (24 h), so the follow-ups changed during the
 * deploy are not skipped; replaying a change the server already has costs a read and no write (the
 * digest is the same). LATEST would leave them to the sweep's catch-up, up to an hour later.
 */
export const FHIR_STREAM_MAPPING = {
  batchSize: 10,
  /** Three tries of a batch (bisected on error): an EHR that is down is the sweep's to catch up, not the shard's to wait for. */
  retryAttempts: 2,
  maxRecordAge: Duration.hours(24),
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  startingPosition: StartingPosition.TRIM_HORIZON,
} as const;

/**
 * The stream records the writer is given: writes of follow-up items (sort key `FOLLOWUP`) that changed
 * the Task's content or the item's expiry (they carry the FHIR marker, CONTRACT §13), nothing else of the
 * table: a bookkeeping write (a reminder sent, a stale flag's copy) invokes nothing.
 */
export const FHIR_STREAM_FILTER = {
  dynamodb: { Keys: { [TABLE.sortKey]: { S: [keys.followUp('').sk] } }, NewImage: { [A.fhirMarker]: { N: [String(FHIR_MARKER_VALUE)] } } },
} as const;

/**
 * A stream batch or a poll run: each stops with time kept back for its last requests and resumes in the next
 * (CONTRACT §13). No longer than the shortest poll period (FHIR_POLL_MIN_SECONDS), so scheduled runs never overlap.
 */
export const FHIR_WRITER_TIMEOUT = Duration.seconds(60);
/** Mostly waiting on the FHIR server: the smallest size that keeps a cold start short (docs/deploy.md, cost). */
export const FHIR_WRITER_MEMORY_MB = 256;

/** The secrets the `fhir` setting names, imported by name (never created or read by the stack). */
export interface FhirSecrets {
  readonly clientSecret: ISecret | null;
  readonly privateKey: ISecret | null;
}

/** Imports the credential secret the setting names (at most one). */
export function importFhirSecrets(scope: Construct, fhir: FhirSettings): FhirSecrets {
  return {
    clientSecret: fhir.clientSecretName === undefined ? null : Secret.fromSecretNameV2(scope, 'FhirClientSecret', fhir.clientSecretName),
    privateKey: fhir.privateKeySecretName === undefined ? null : Secret.fromSecretNameV2(scope, 'FhirPrivateKey', fhir.privateKeySecretName),
  };
}

/** The systems and base URL: what the query function needs to answer `fhir` (CONTRACT §13). */
export function fhirAddressEnvironment(fhir: FhirSettings): Record<string, string> {
  return {
    FHIR_BASE_URL: fhir.baseUrl,
    FHIR_TASK_SYSTEM: fhir.taskSystem,
    FHIR_CODE_SYSTEM: fhir.codeSystem,
    FHIR_ORDER_SYSTEM: fhir.orderSystem,
    FHIR_OWNER_SYSTEM: fhir.ownerSystem,
  };
}

/** The console's close group as the actions function gets it (CONTRACT §12), or null: what binds the EHR's closes too. */
export function closeGroupOf(settings: Pick<Settings, 'console' | 'consoleCloseGroup'>): string | null {
  return settings.console && settings.consoleCloseGroup !== null ? settings.consoleCloseGroup : null;
}

/**
 * Everything a function that writes Tasks needs (the writer, the sweep's catch-up): the addresses, the token settings,
 * the credential's ARN, and whether (and how often) the EHR's work comes back: the same for both, so that the sweep's
 * catch-up treats a Task changed in the EHR as the writer does.
 */
export function fhirWriterEnvironment(fhir: FhirSettings, secrets: FhirSecrets, closeGroup: string | null = null): Record<string, string> {
  return {
    ...fhirAddressEnvironment(fhir),
    ...(fhir.tokenUrl === undefined ? {} : { FHIR_TOKEN_URL: fhir.tokenUrl }),
    ...(fhir.clientId === undefined ? {} : { FHIR_CLIENT_ID: fhir.clientId }),
    FHIR_SCOPE: fhir.scope,
    FHIR_CATCH_UP_PER_SWEEP: String(fhir.catchUpPerSweep),
    FHIR_EHR_ACTIONS: fhir.ehrActions,
    // The console's close group binds the EHR's closes too, unless ehrCloses is `allow` (CONTRACT §13).
    FHIR_EHR_CLOSES: fhir.ehrCloses,
    ...(closeGroup === null ? {} : { CLOSE_REQUIRES_GROUP: closeGroup }),
    FHIR_POLL_SECONDS: String(fhir.pollSeconds),
    FHIR_POLL_MAX: String(fhir.pollMax),
    ...(secrets.clientSecret === null ? {} : { FHIR_CLIENT_SECRET_ARN: secrets.clientSecret.secretArn }),
    ...(secrets.privateKey === null ? {} : { FHIR_PRIVATE_KEY_SECRET_ARN: secrets.privateKey.secretArn }),
    ...(fhir.keyId === undefined ? {} : { FHIR_KEY_ID: fhir.keyId }),
  };
}

/**
 * Lets a role read the credential secret: GetSecretValue and DescribeSecret on that secret alone
 * (its ARN ends with Secrets Manager's random suffix, which a name cannot know: `-??????`). The
 * secret is under the account's `aws/secretsmanager` key (docs/deploy.md), which needs no grant.
 */
export function grantFhirSecretRead(bound: TableBoundFunction, secrets: FhirSecrets): void {
  for (const secret of [secrets.clientSecret, secrets.privateKey]) secret?.grantRead(bound.role);
}

/**
 * What the sweep's catch-up adds to its access: Query of the pending partition (oldest first) and of
 * a follow-up's history (to tell a person's action), and delete of the pending records (it already
 * reads, puts and updates items by key: the confirmations and the first switch-on's progress).
 */
export function sweepFhirAccess(): { partitionQueries: string[]; deletePrefixes: string[] } {
  return { partitionQueries: [FHIR_PARTITIONS.pending, FHIR_PARTITIONS.followUpPrefix], deletePrefixes: [FHIR_PARTITIONS.pending] };
}

/**
 * The writer's access with another function's added, action by action (the same partitions for the same actions):
 * the follow-up actions' (CONTRACT §13: the writer applies the EHR's work as §9 actions, and may write no more than
 * they may). Only an access held to partitions, and nothing it cannot merge, is taken.
 */
export function withAccessOf(own: TableAccess, other: TableAccess): TableAccess {
  if (own.partitions === undefined || other.partitions === undefined) throw new Error('withAccessOf: both accesses must name their partitions');
  if (other.partitionWrites !== undefined || other.partitionQueries !== undefined || other.indexPartitions !== undefined || other.queryIndexes.length > 0) {
    throw new Error('withAccessOf: only table actions held to partitions are merged');
  }
  const table = [...new Set([...own.table, ...other.table])];
  const partitions = Object.fromEntries(table.map((action) => [action, [...new Set([...(own.partitions?.[action] ?? []), ...(other.partitions?.[action] ?? [])])]]));
  return { ...own, table, partitions };
}

export interface FhirWriterProps extends Omit<TableBoundFunctionProps, 'service' | 'description' | 'access' | 'environment' | 'timeout' | 'memorySize'> {
  readonly fhir: FhirSettings;
  readonly secrets: FhirSecrets;
  /** The key of the writer's dead-letter queue (the operations key). */
  readonly queueKey: IKey;
  /** What the follow-up actions function may do with the table: the writer gets the same, to apply the EHR's work (CONTRACT §13). */
  readonly followUpActions: TableAccess;
  /** The stale thresholds' variables the follow-up actions get (an action applied computes the follow-up's due time). */
  readonly thresholds: Readonly<Record<string, string>>;
  /** The console's close group (CLOSE_REQUIRES_GROUP), or null: an EHR close or reopen is held unless `ehrCloses` is `allow`. */
  readonly closeGroup?: string | null;
}

/** The writer (service fhir-writer): its function, its stream mapping and dead-letter queue, and its poll schedule. */
export class FhirWriter extends Construct {
  readonly function: TableBoundFunction;
  readonly deadLetters: Queue;
  /** The EventBridge rule that starts a poll run every `pollSeconds` (CONTRACT §13). */
  readonly poll: Rule;
  /** The EventBridge rule that sends the pending Tasks every FHIR_RETRY_SECONDS (CONTRACT §13: within 2 minutes of the server answering again). */
  readonly retry: Rule;

  constructor(scope: Construct, id: string, props: FhirWriterProps) {
    super(scope, id);
    const { fhir, secrets, queueKey, followUpActions, thresholds, closeGroup, ...bound } = props;
    // Its own items: reads a follow-up (by key, and its history by Query, to tell a person's action); reads, puts
    // and updates its confirmation item (FHIRTASK#<id>; the update moves its expiry with the follow-up's, CONTRACT
    // §8); updates and deletes its pending record (FHIR#PENDING); reads and puts the poll's cursor (FHIR#POLL) and updates the notices' counts beside it (issue 82). Then what the follow-up actions may do (a follow-up's puts, an order's
    // read), to apply the EHR's work as a person's action (and its EHR flag's, CONTRACT §12), and an update of a
    // follow-up item (the stamp of its Task's confirmed write that an open page reads). Nothing else: no index, no
    // delete of a follow-up. IAM holds each action to those partitions (dynamodb:LeadingKeys).
    const followUps = `${FHIR_PARTITIONS.followUpPrefix}*`;
    const confirmations = `${FHIR_PARTITIONS.confirmationPrefix}*`;
    const own: TableAccess = {
      table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
      queryIndexes: [],
      partitions: {
        GetItem: [followUps, confirmations, FHIR_PARTITIONS.poll],
        // The pending partition: its retry reads a page of them (one Query) and moves one behind after its failed tries (a put).
        Query: [followUps, FHIR_PARTITIONS.pending],
        PutItem: [confirmations, FHIR_PARTITIONS.poll, FHIR_PARTITIONS.pending],
        UpdateItem: [followUps, FHIR_PARTITIONS.pending, confirmations, FHIR_PARTITIONS.poll],
        DeleteItem: [FHIR_PARTITIONS.pending],
      },
    };
    this.function = new TableBoundFunction(this, 'Writer', {
      ...bound,
      service: 'fhir-writer',
      description: "Keeps one FHIR R4 Task per follow-up in the team's FHIR server (CONTRACT §13; table stream, follow-up items only)",
      access: withAccessOf(own, followUpActions),
      environment: { ...fhirWriterEnvironment(fhir, secrets, closeGroup ?? null), ...thresholds },
      timeout: FHIR_WRITER_TIMEOUT,
      memorySize: FHIR_WRITER_MEMORY_MB,
    });
    grantFhirSecretRead(this.function, secrets);

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter destination of the FHIR writer's stream mapping (it receives the shard and sequence numbers of batches that kept failing); the sweep's catch-up sends those follow-ups' Tasks anyway.",
    });
    this.function.fn.addEventSource(
      new DynamoEventSource(bound.table, {
        ...FHIR_STREAM_MAPPING,
        filters: [FilterCriteria.filter(FHIR_STREAM_FILTER)],
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );
    // The stream and dead-letter grants CDK writes, as for the transaction function.
    acknowledgeStreamConsumerGrants(this.function.role);

    // The poll (CONTRACT §13): EventBridge's scheduled event itself (`source: aws.events`, no input), which the
    // writer's handler tells from a stream batch. A failed or missed run is not retried, neither by EventBridge nor
    // by Lambda's asynchronous retries: the next period's run resumes from the stored cursor, and a retry would
    // only overlap it.
    this.poll = new Rule(this, 'PollSchedule', {
      description: `Starts the FHIR writer's poll of the Tasks changed in the EHR every ${fhir.pollSeconds} s (CONTRACT §13)`,
      schedule: Schedule.rate(Duration.seconds(fhir.pollSeconds)),
      targets: [new LambdaFunction(this.function.fn, { retryAttempts: 0 })],
    });
    // The retry tick (fhir-writer/retry-entry.ts): its constant input tells it from the poll; not retried either (the next
    // tick comes within a minute). With nothing pending a tick costs one Query; while the server is down, one request.
    this.retry = new Rule(this, 'RetrySchedule', {
      description: `Sends the FHIR writer's pending Tasks every ${FHIR_RETRY_SECONDS} s, so an outage heals within 2 minutes of the server answering again (CONTRACT §13)`,
      schedule: Schedule.rate(Duration.seconds(FHIR_RETRY_SECONDS)),
      targets: [new LambdaFunction(this.function.fn, { retryAttempts: 0, event: RuleTargetInput.fromObject(FHIR_RETRY_EVENT) })],
    });
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0 });
  }
}

/** A reader's partitions and, beside them, the follow-ups' confirmation items (the query function's `fhir`). */
export function withFhirConfirmations(partitions: ReaderPartitions): ReaderPartitions {
  return { ...partitions, table: { ...partitions.table, prefixes: [...partitions.table.prefixes, FHIR_PARTITIONS.confirmationPrefix] } };
}
