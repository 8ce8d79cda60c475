/**
 * The query and digest functions' reads in the template (issue 45 item 6): every
 * DynamoDB read they are allowed, on the table and on the indexes, carries a
 * `dynamodb:LeadingKeys` condition with exactly the partitions of
 * functions/store/key-prefixes.ts, and the deploy rehearsal's IAM evaluator
 * (test/support/rehearsal/iam.ts) refuses them a quarantined body, parked work,
 * leases and claims while allowing what they read.
 */
import { describe, expect, it } from 'vitest';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { leadingKeyPatterns, READER_PARTITIONS, type Reader } from '../../functions/store/key-prefixes';
import { TABLE } from '../../functions/store/table';
import { CLAIM_PARTITION_PREFIX, FOLLOW_UP_LISTING_PARTITIONS, keys, OPEN_REDRAW_PARTITIONS, PARKED_WORK_PARTITION, QUARANTINE_LISTING_PARTITION, RECONCILE_PARTITION } from '../../functions/store/keys';
import { isAllowed, type Statement as IamStatement } from '../support/rehearsal/iam';
import { statementsOf, type Statement } from './policies';
import { sharedStack } from './stack';

const { stack, template } = sharedStack();
const digest = stack.weeklyDigest;
if (digest === null) throw new Error('cdk.json turns the weekly digest on');
const ROLES: Record<Reader, IRole> = { query: stack.query.role, digest: digest.function.role };

const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const like = (patterns: readonly string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] } });
/** A resource as the template names it (a token resolved to its intrinsic), compared as text. */
const named = (arn: string) => JSON.stringify(stack.resolve(arn));
const tableArn = named(stack.table.tableArn);
const indexArn = (indexName: string) => named(`${stack.table.tableArn}/index/${indexName}`);

function readsOf(reader: Reader): Statement[] {
  return statementsOf(stack, template, ROLES[reader]).filter((statement) => statement.Action.some((action) => READS.includes(action)));
}

/** Every index the reader may Query, as the template names it: an index added to its grant is checked here too. */
function indexesOf(reader: Reader): string[] {
  return readsOf(reader)
    .flatMap((statement) => statement.Resource.map((r) => JSON.stringify(r)))
    .filter((resource) => resource.includes('/index/'));
}

/** Whether IAM (the rehearsal's evaluator) lets `reader` do `action` on `resource` naming these partition key values. */
function allowed(reader: Reader, action: string, resource: string, leading: readonly string[]): boolean {
  const identity: IamStatement[] = statementsOf(stack, template, ROLES[reader]).map((statement) => ({
    Effect: statement.Effect,
    Action: statement.Action,
    Resource: statement.Resource.map((r) => JSON.stringify(r)),
    ...(statement.Condition === undefined ? {} : { Condition: statement.Condition as IamStatement['Condition'] }),
  }));
  return isAllowed({ principal: 'arn:aws:iam::123456789012:role/reader', action, resource, context: { 'dynamodb:LeadingKeys': leading } }, { identity });
}

describe('the read-only readers\' partitions (dynamodb:LeadingKeys)', () => {
  it.each(['query', 'digest'] as const)('holds every read of the %s function, on the table and on each index, to exactly its derived partitions', (reader) => {
    const partitions = READER_PARTITIONS[reader];
    const statements = readsOf(reader);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const resources = statement.Resource.map((r) => JSON.stringify(r));
      const onIndexes = resources.every((resource) => resource.includes('/index/'));
      // A statement is about the table or about indexes, never both: each has its own list.
      expect(onIndexes || resources.every((resource) => !resource.includes('/index/')), JSON.stringify(statement)).toBe(true);
      expect(statement.Condition, JSON.stringify(statement.Action)).toEqual(like(leadingKeyPatterns(onIndexes ? partitions.indexes : partitions.table)));
    }
  });

  it('derives the query function\'s partitions from the key builders: orders, transactions, follow-ups and report rows; the open redraws and the worklist in the indexes', () => {
    expect(leadingKeyPatterns(READER_PARTITIONS.query.table)).toEqual(['ORDER#*', 'TXN#*', 'FOLLOWUP#*', 'REPORT#*']);
    expect(leadingKeyPatterns(READER_PARTITIONS.query.indexes)).toEqual([
      'ORDER#*',
      'FOLLOWUP#*',
      'REDRAW#in_progress',
      'REDRAW#awaiting',
      'REDRAW#stale',
      'FOLLOWUPS#open',
      'FOLLOWUPS#closed',
    ]);
    expect(leadingKeyPatterns(READER_PARTITIONS.digest.table)).toEqual(['REPORT#*', 'ORDER#*']);
    expect(leadingKeyPatterns(READER_PARTITIONS.digest.indexes)).toEqual(['ORDER#*', 'FOLLOWUP#*', 'REDRAW#stale', 'FOLLOWUPS#open']);
  });

  it('refuses the query function a GetItem of a quarantined body and allows one of an order', () => {
    expect(allowed('query', 'dynamodb:GetItem', tableArn, [keys.quarantine('msg_1').pk])).toBe(false);
    expect(allowed('query', 'dynamodb:GetItem', tableArn, [keys.order('o-1').pk])).toBe(true);
    expect(allowed('query', 'dynamodb:GetItem', tableArn, [keys.followUp('t-1').pk])).toBe(true);
    // A batch is refused whole when one key is outside.
    expect(allowed('query', 'dynamodb:BatchGetItem', tableArn, [keys.appointment('o-1').pk, keys.quarantine('msg_1').pk])).toBe(false);
    expect(allowed('query', 'dynamodb:BatchGetItem', tableArn, [keys.appointment('o-1').pk, keys.appointment('o-2').pk])).toBe(true);
  });

  it.each(['query', 'digest'] as const)('refuses the %s function the quarantine, parked work, leases, claims and the report ledger, on the table and in every index it may Query', (reader) => {
    const outside = [
      keys.quarantine('msg_1').pk,
      QUARANTINE_LISTING_PARTITION,
      PARKED_WORK_PARTITION,
      `${CLAIM_PARTITION_PREFIX}digest#UTC#2026-04-06`,
      'LEASE#sweep',
      keys.reportLedger('token', 'follow_up').pk,
      RECONCILE_PARTITION,
    ];
    for (const partition of outside) {
      expect(allowed(reader, 'dynamodb:Query', tableArn, [partition]), partition).toBe(false);
      expect(allowed(reader, 'dynamodb:GetItem', tableArn, [partition]), partition).toBe(false);
      for (const index of indexesOf(reader)) expect(allowed(reader, 'dynamodb:Query', index, [partition]), `${index} ${partition}`).toBe(false);
    }
  });

  it.each(['query', 'digest'] as const)('lets the %s function Query the worklist\'s open partition on every index it is granted, the stale redraws, and report rows in the table', (reader) => {
    expect(indexesOf(reader)).toEqual(expect.arrayContaining([indexArn(TABLE.byTransaction.indexName), indexArn(TABLE.openRedraws.indexName)]));
    for (const index of indexesOf(reader)) expect(allowed(reader, 'dynamodb:Query', index, [FOLLOW_UP_LISTING_PARTITIONS.open]), index).toBe(true);
    expect(allowed(reader, 'dynamodb:Query', indexArn(TABLE.openRedraws.indexName), [OPEN_REDRAW_PARTITIONS.stale])).toBe(true);
    expect(allowed(reader, 'dynamodb:Query', tableArn, [keys.reportRow('opened', '2026-04-07T08:00:00Z', '').pk])).toBe(true);
  });
});
