/** TableClient through the SDK's document client (see store/table-client.ts). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableClient, WriteOutcome } from './table-client';

export function documentTable(doc: DynamoDBDocumentClient): TableClient {
  return {
    async get(input) {
      return (await doc.send(new GetCommand(input))).Item;
    },
    async query(input) {
      const page = await doc.send(new QueryCommand(input));
      return { Items: page.Items ?? [], Count: page.Count ?? 0, ...(page.LastEvaluatedKey ? { LastEvaluatedKey: page.LastEvaluatedKey } : {}) };
    },
    put: (input) => conditional(() => doc.send(new PutCommand(input))),
    update: (input) => conditional(() => doc.send(new UpdateCommand(input))),
    async delete(input) {
      await doc.send(new DeleteCommand(input));
    },
    async transactWrite(input) {
      await doc.send(new TransactWriteCommand(input));
    },
  };
}

async function conditional(send: () => Promise<unknown>): Promise<WriteOutcome> {
  try {
    await send();
    return { written: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client does not convert errors: the stored item is in DynamoDB's attribute values.
    return { written: false, stored: error.Item };
  }
}
