/**
 * A table's stream as Lambda's event source mapping reads it, for the rehearsals (./stage.ts): every
 * shard from its start, the records not given to a function yet.
 */
import { DescribeStreamCommand, type DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';

/** The table's stream records not seen yet (every shard from its start), as Lambda's event source mapping delivers them. */
export async function streamRecordsAfter(streams: DynamoDBStreamsClient, streamArn: string, seen: Set<string>): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    for (let reads = 0; ShardIterator && reads < 20; reads++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      const fresh = (page.Records ?? []).filter((record) => record.eventID !== undefined && !seen.has(record.eventID));
      for (const record of fresh) seen.add(record.eventID ?? '');
      records.push(...fresh);
      if ((page.Records ?? []).length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
}
