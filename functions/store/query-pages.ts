/**
 * Every page of a Query, following LastEvaluatedKey: the one paging loop of the
 * store modules; and the Query of one whole partition of an index.
 */
import type { QueryCommandInput, QueryPage, TableClient } from './table-client';

export async function* queryPages(db: TableClient, input: QueryCommandInput): AsyncGenerator<QueryPage> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await db.query({ ...input, ExclusiveStartKey: startKey });
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every item of a Query, page after page. */
export async function* queryItems(db: TableClient, input: QueryCommandInput): AsyncGenerator<Record<string, unknown>> {
  for await (const page of queryPages(db, input)) yield* page.Items;
}

/** The Query of one partition of an index (`#pk = :pk`, eventually consistent, as every index read is). */
export function indexPartition(tableName: string, index: { indexName: string; partitionKey: string }, partition: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: index.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': index.partitionKey },
    ExpressionAttributeValues: { ':pk': partition },
  };
}
