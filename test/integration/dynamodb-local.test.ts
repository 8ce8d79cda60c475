/**
 * Proves the harness against the real engine: the shared table design, a
 * conditional write returning the old item, and the table's stream.
 */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/store/table';
import { keys } from '../../functions/store/keys';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';

describe('DynamoDB Local harness', () => {
  let table: TestTable;
  let streams: DynamoDBStreamsClient;

  beforeAll(async () => {
    table = await createTestTable('harness');
    streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  });
  afterAll(async () => {
    streams?.destroy();
    await table?.drop();
  });

  it("hands the same local endpoint to workers via inject and the SDK's own AWS_ENDPOINT_URL_DYNAMODB", () => {
    expect(localEndpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(localEndpoint());
  });

  it('creates the table from the shared design, with its three GSIs and a stream', async () => {
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi]));
    for (const index of [TABLE.byTransaction, TABLE.openRedraws, TABLE.worklist]) {
      expect(indexes[index.indexName]?.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(indexes[index.indexName]?.Projection?.ProjectionType).toBe(index.projection);
    }
    // The worklist's slim entry (its queue facts and expiry), nothing more (issue 45).
    expect(indexes[TABLE.worklist.indexName]?.Projection?.NonKeyAttributes?.slice().sort()).toEqual([...TABLE.worklist.nonKeyAttributes].sort());
    expect(Object.keys(indexes).sort()).toEqual([TABLE.byTransaction.indexName, TABLE.openRedraws.indexName, TABLE.worklist.indexName].sort());
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).toEqual(expect.any(String));
  });

  it('fails a conditional write with ConditionalCheckFailed and returns the old item', async () => {
    const key = keys.order('cond-1');
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...key, status: 'collecting_sample' } }));

    const attempt = table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...key, status: 'completed', note: undefined },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const error: unknown = await attempt.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    // The DocumentClient does not unmarshall the item on an exception: it is raw AttributeValues.
    expect((error as ConditionalCheckFailedException).Item).toEqual({
      pk: { S: key.pk },
      sk: { S: key.sk },
      status: { S: 'collecting_sample' },
    });
  });

  it("delivers the table's changes on its stream", async () => {
    const key = keys.order('stream-1');
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...key, status: 'received' } }));

    const { Streams } = await streams.send(new ListStreamsCommand({ TableName: table.tableName }));
    expect(Streams).toHaveLength(1);
    const streamArn = Streams?.[0]?.StreamArn;
    if (!streamArn) throw new Error('no stream ARN');

    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    expect(StreamDescription?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    const shards = StreamDescription?.Shards ?? [];
    expect(shards.length).toBeGreaterThan(0);

    const records: _Record[] = [];
    for (const shard of shards) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      let iterator = ShardIterator;
      // Bounded by reads, not by time: records show up within milliseconds locally.
      for (let reads = 0; iterator && reads < 20; reads++) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []));
        if (records.some((record) => record.dynamodb?.Keys?.pk?.S === key.pk)) break;
        iterator = page.NextShardIterator;
        await new Promise((done) => setTimeout(done, 50));
      }
    }

    const insert = records.find((record) => record.dynamodb?.Keys?.pk?.S === key.pk);
    expect(insert?.eventName).toBe('INSERT');
    expect(insert?.dynamodb?.NewImage).toEqual({ pk: { S: key.pk }, sk: { S: key.sk }, status: { S: 'received' } });
    expect(insert?.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
  });
});
