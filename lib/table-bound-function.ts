/**
 * One Lambda function of the tracker (ServiceFunction: its code, role and log group), most of them
 * bound to the table (TableBoundFunction): it gets TABLE_NAME and
 * exactly the DynamoDB actions it needs, in the same place (STYLE.md, "Grant and
 * variable together"). Statements are written out action by action, never with
 * grantReadWriteData, so the infrastructure tests can prove what each function
 * may and may not do (no Scan anywhere: the type below cannot even express it).
 */
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, type ILocalBundling, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/shared/observability';
import type { ServiceName } from '../functions/shared/metric-names';
import { leadingKeyPatterns, type ReaderPartitions } from '../functions/store/key-prefixes';
import { TABLE } from '../functions/store/table';
import { buildOnce } from './bundle-cache';
import { bundleFunction, ENTRY_FILE } from './function-bundle';

/** The functions; each name is also its folder under functions/ and its Powertools service name. */
export type { ServiceName };

/**
 * Item-level actions a function may be given on the base table. Scan is deliberately
 * absent; BatchGetItem (reads by key, at most 100) only for the sweep's sync; DeleteItem
 * only held to named partitions (`partitions`; the FHIR writer's own items).
 */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

export type IndexName = typeof TABLE.byTransaction.indexName | typeof TABLE.openRedraws.indexName | typeof TABLE.worklist.indexName;

/** What a function may do with the table. */
export interface TableAccess {
  /** Actions on the base table. TransactWriteItems is authorized per contained action (PutItem, UpdateItem). */
  readonly table: readonly TableAction[];
  /** Indexes the function may Query. */
  readonly queryIndexes: readonly IndexName[];
  /**
   * The partitions its Queries of `queryIndexes` may name (IAM wildcards), as a
   * `dynamodb:LeadingKeys` condition on the one statement that grants them all.
   * Absent: any partition of those indexes.
   */
  readonly indexPartitions?: readonly string[];
  /**
   * The partitions each action of `table` may touch (partition key values, IAM
   * wildcards: `FOLLOWUP#*`), as a `dynamodb:LeadingKeys` condition; every action
   * of `table` must be named. Absent: the whole table (each action its own
   * condition-free statement, as before). TransactWriteItems is held to it item by
   * item (IAM authorizes each contained write as its action, with its keys).
   */
  readonly partitions?: Readonly<Partial<Record<TableAction, readonly string[]>>>;
  /**
   * Writes confined to items whose partition key starts with one of these
   * prefixes (`dynamodb:LeadingKeys`): a function that writes nothing else
   * (the weekly digest's claims, `CLAIM#digest#`), or deletes nothing else (the
   * sweep's records of missing results read, `RESULTS#`).
   */
  readonly partitionWrites?: { readonly actions: readonly ('PutItem' | 'UpdateItem' | 'DeleteItem')[]; readonly partitionPrefixes: readonly string[] };
  /**
   * Queries of the table confined to partitions whose key starts with one of
   * these prefixes: a function that otherwise reads items by key (the sweep
   * builds the report's units from `REPORT#` rows, CONTRACT §11).
   */
  readonly partitionQueries?: readonly string[];
}

const WRITE_ACTIONS: ReadonlySet<TableAction> = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** The reads a TableAccess may confine to a reader's partitions. */
export type ReadAction = 'GetItem' | 'BatchGetItem' | 'Query';

/**
 * A read-only reader's access (store/key-prefixes.ts): `actions` on the table and
 * Query on `queryIndexes`, each held to the reader's partitions by a
 * `dynamodb:LeadingKeys` condition: the table's reads to `partitions.table`, the
 * indexes' Queries to `partitions.indexes`.
 */
export function confinedReads(partitions: ReaderPartitions, actions: readonly ReadAction[], queryIndexes: readonly IndexName[]): TableAccess {
  const tablePatterns = leadingKeyPatterns(partitions.table);
  return {
    table: actions,
    queryIndexes,
    partitions: Object.fromEntries(actions.map((action) => [action, tablePatterns])),
    indexPartitions: leadingKeyPatterns(partitions.indexes),
  };
}

/** The newest Node.js runtime aws-cdk-lib 2.276 offers. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** Repository root: entries and the lock file are resolved from here, not from the working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What every function of the tracker is given: its service, code, role, log group, limits and variables. */
export interface ServiceFunctionProps {
  readonly service: ServiceName;
  readonly description: string;
  /** Variables besides the Powertools ones. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logKey: IKey;
  readonly timeout: Duration;
  readonly memorySize?: number;
}

/**
 * A function with its own role and log group, its code bundled by lib/function-bundle.ts, and no grant but its
 * logs: what it may do besides is granted beside it (TableBoundFunction adds the table; the FHIR notifications
 * route, which never touches the table, its secret and its queue alone).
 */
export class ServiceFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { service } = props;

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey });
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `redraw-tracker ${service} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(PROJECT_ROOT, {
        // Hash what is shipped (the bundle), not the repository it is built from.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: bundling is local (esbuild is a devDependency), as NodejsFunction did it.
          image: FUNCTION_RUNTIME.bundlingImage,
          local: new LocalBundle(service),
        },
      }),
      handler: `${ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
  }
}

export interface TableBoundFunctionProps extends ServiceFunctionProps {
  readonly table: ITable;
  /** The table's customer-managed key (the table's own property is optional in ITable). */
  readonly tableKey: IKey;
  readonly access: TableAccess;
  /** Variables besides TABLE_NAME and the Powertools ones. */
  readonly environment?: Readonly<Record<string, string>>;
  /** The event bus the function publishes to (CONTRACT §7): EVENT_BUS_NAME and events:PutEvents on that bus only. */
  readonly eventBus?: IEventBus;
}

/** A function bound to the table: TABLE_NAME and exactly the table actions its access names, in one place. */
export class TableBoundFunction extends ServiceFunction {
  constructor(scope: Construct, id: string, props: TableBoundFunctionProps) {
    const { table, tableKey, access, eventBus, ...own } = props;
    super(scope, id, {
      ...own,
      environment: {
        ...props.environment,
        ...(eventBus === undefined ? {} : { EVENT_BUS_NAME: eventBus.eventBusName }),
        TABLE_NAME: table.tableName,
      },
    });

    this.grantTable(table, tableKey, access);
    if (eventBus !== undefined) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'PublishEvents', actions: ['events:PutEvents'], resources: [eventBus.eventBusArn] }),
      );
    }
  }

  private grantTable(table: ITable, tableKey: IKey, access: TableAccess): void {
    if (access.partitions !== undefined) {
      const partitions = access.partitions;
      for (const action of access.table) {
        const patterns = partitions[action];
        if (patterns === undefined || patterns.length === 0) throw new Error(`${action}: name the partitions it may touch (access.partitions)`);
        this.role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: `Table${action}`,
            actions: [`dynamodb:${action}`],
            resources: [table.tableArn],
            // ForAllValues: every partition key the request names must match one of the patterns.
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] } },
          }),
        );
      }
      const extra = Object.keys(partitions).filter((action) => !access.table.includes(action as TableAction));
      if (extra.length > 0) throw new Error(`access.partitions names actions not in access.table: ${extra.join(', ')}`);
    } else if (access.table.length > 0) {
      // A delete anywhere in the table is never granted: name its partitions (or use partitionWrites).
      if (access.table.includes('DeleteItem')) throw new Error('DeleteItem: name the partitions it may touch (access.partitions)');
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TableItems',
          actions: access.table.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
        }),
      );
    }
    if (access.indexPartitions !== undefined && access.indexPartitions.length === 0) throw new Error('access.indexPartitions: name the partitions, or leave it out');
    if (access.queryIndexes.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'QueryIndexes',
          actions: ['dynamodb:Query'],
          resources: access.queryIndexes.map((indexName) => `${table.tableArn}/index/${indexName}`),
          // One condition for every index granted: an index added to the list is held to it at once.
          ...(access.indexPartitions === undefined ? {} : { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...access.indexPartitions] } } }),
        }),
      );
    }
    if (access.partitionQueries !== undefined && access.partitionQueries.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TablePartitionQueries',
          actions: ['dynamodb:Query'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.partitionQueries.map((prefix) => `${prefix}*`) } },
        }),
      );
    }
    const partitionWrites = access.partitionWrites;
    if (partitionWrites !== undefined && partitionWrites.actions.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TablePartitionWrites',
          actions: partitionWrites.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          // Every key the request names must be under one of the prefixes (an item write names one).
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitionWrites.partitionPrefixes.map((prefix) => `${prefix}*`) } },
        }),
      );
    }
    const writes = access.table.some((action) => WRITE_ACTIONS.has(action)) || (partitionWrites?.actions.length ?? 0) > 0;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TableKey',
        // Readers decrypt; writers also encrypt. Named actions, no kms wildcard.
        actions: writes
          ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']
          : ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [tableKey.keyArn],
      }),
    );
  }
}

/**
 * Bundles one function with esbuild, in process. NodejsFunction cannot split
 * code (it builds with --outfile), which is what keeps the SDK's unused
 * credential providers out of the cold start (lib/function-bundle.ts). The
 * service is a field so that it is part of the asset's cache key.
 */
class LocalBundle implements ILocalBundling {
  constructor(readonly service: ServiceName) {}

  tryBundle(outputDir: string): boolean {
    // Once per test run (REDRAW_BUNDLE_CACHE, lib/bundle-cache.ts); every synth of `cdk synth` builds its own.
    buildOnce(`function-${this.service}`, outputDir, (dir) => bundleFunction(this.service, dir));
    return true;
  }
}

/** Lambda's default timeout is 3 s; these say what each kind of work may take. */
export const TIMEOUTS = {
  http: Duration.seconds(10),
  /** The follow-up actions (CONTRACT §14): a booking's one call to Junction is bounded to 20 s; the HTTP API's own limit is 30 s. */
  actions: Duration.seconds(29),
  stream: Duration.seconds(60),
  sweep: Duration.minutes(5),
  /** Lambda's maximum: the backfill continues itself in a fresh invocation before it. */
  backfill: Duration.minutes(15),
} as const;

/**
 * The cdk-nag findings on the grants CDK writes for a stream consumer with a
 * KMS-encrypted on-failure queue (the transaction function's mapping, the FHIR
 * writer's), acknowledged with their reasons: one list for every consumer.
 */
export function acknowledgeStreamConsumerGrants(role: IRole): void {
  const reasons: ReadonlyArray<[string, string]> = [
    [
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams cannot be scoped to a resource (IAM only accepts "*" for it); every other stream action is limited to this table\'s stream ARN.',
    ],
    [
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Written by SqsDlq for sending failure records to the KMS-encrypted dead-letter queue; limited to the operations key by resource.',
    ],
    [
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'Written by SqsDlq for sending failure records to the KMS-encrypted dead-letter queue; limited to the operations key by resource.',
    ],
  ];
  for (const [id, reason] of reasons) Validations.of(role).acknowledge({ id, reason });
}
