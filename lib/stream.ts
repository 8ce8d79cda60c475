/**
 * The table's stream: the transaction-status function on it (it recomputes a transaction when one of its orders
 * changes, keeps each follow-up current and publishes the facts of each write), its event source mapping, and the
 * queue that receives what still fails at the stream's 24 h limit.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Grouping } from './grouping';
import type { Settings } from './settings';
import type { TableBinding } from './storage';
import { acknowledgeStreamConsumerGrants, TableBoundFunction, TIMEOUTS } from './table-bound-function';

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

export interface TransactionStreamProps {
  readonly binding: TableBinding;
  readonly eventBus: IEventBus;
  readonly settings: Pick<Settings, 'retentionDays' | 'redrawStaleAfterDays' | 'redrawMissingAfterHours' | 'appointmentGraceHours' | 'followUpMissingResults'>;
}

export class TransactionStream extends Grouping {
  readonly function: TableBoundFunction;
  /** The stream mapping's on-failure destination: pointers to the records given up at 24 h. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: TransactionStreamProps) {
    super(scope, id);
    const { binding, settings } = props;
    this.function = new TableBoundFunction(this, 'TransactionStatus', {
      ...binding,
      service: 'transaction-status',
      description: 'Recomputes a transaction when one of its orders changes and publishes the facts of each write (table stream)',
      // Reads a transaction item and, when it must write an order, that order's item, by key; writes both.
      // Keeps each follow-up current (CONTRACT §9): one PutItem of the follow-up and one of each history item
      // (no transaction: store/follow-ups/pending-history.ts), and a Query of the follow-up's own partition when
      // its expiry changes (its history items).
      access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], queryIndexes: [] },
      // The table's one publisher: PutEvents on this bus only.
      eventBus: props.eventBus,
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
    this.deadLetters = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: binding.logKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the stream mapping (it receives the shard and sequence numbers of batches that kept failing); a queue behind it would only move the problem.',
    });
    this.function.fn.addEventSource(new DynamoEventSource(binding.table, { ...STREAM_MAPPING, onFailure: new SqsDlq(this.deadLetters) }));
    // These three come from the grants CDK writes for the stream and the dead-letter queue.
    acknowledgeStreamConsumerGrants(this.function.role);
  }
}
