/** ItemWrites through the SDK's document client (see store/item-writes.ts). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemWrites } from './item-writes';

export function documentItemWrites(doc: DynamoDBDocumentClient): ItemWrites {
  return {
    async put(input) {
      try {
        await doc.send(new PutCommand(input));
        return { written: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return { written: false, stored: error.Item };
      }
    },
    async transactWrite(input) {
      await doc.send(new TransactWriteCommand(input));
    },
  };
}
