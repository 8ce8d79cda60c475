/**
 * Every page of a Query, following LastEvaluatedKey: the one paging loop of the
 * store modules.
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
