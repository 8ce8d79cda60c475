/**
 * The table and its keys: one DynamoDB table (its design shared with the functions in functions/store/table.ts),
 * with its stream and indexes, under a key of its own; and the operations key, which encrypts everything else
 * (logs, queues, topics, secrets).
 */
import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TABLE, TABLE_INDEXES } from '../functions/store/table';
import { Grouping } from './grouping';

/** What every function bound to the table is given: the table and its key, and where its logs go. */
export interface TableBinding {
  readonly table: Table;
  readonly tableKey: Key;
  readonly logRetention: RetentionDays;
  readonly logKey: Key;
}

export class Storage extends Grouping {
  readonly table: Table;
  readonly tableKey: Key;
  /** Logs, queues, topics and secrets: a key apart, so that the service principals it trusts never reach the table's. */
  readonly opsKey: Key;
  readonly binding: TableBinding;

  constructor(scope: Construct, id: string, props: { logRetention: RetentionDays }) {
    super(scope, id);
    // Orders are PHI-adjacent: their own key, rotated, kept if the stack goes.
    this.tableKey = new Key(this, 'TableKey', {
      description: 'redraw-tracker table and its stream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.opsKey = new Key(this, 'OpsKey', {
      description: 'redraw-tracker logs, queue, topic and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.opsKey.grantEncryptDecrypt(new ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`));
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.opsKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');

    // The table is the stack's own child, not this group's: CDK names each stream mapping after the table's
    // construct path (DynamoEventSource), and a renamed mapping would start again from the stream's oldest record.
    this.table = new Table(Stack.of(this), 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
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
    this.binding = { table: this.table, tableKey: this.tableKey, logRetention: props.logRetention, logKey: this.opsKey };
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
