/**
 * The TableClient (store/table-client.ts) over the SDK's document client: what
 * every function, `npm start`, the CLI and the bench reach DynamoDB with.
 */
import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';
import { followUnprocessedKeys, MARSHALL_OPTIONS, type TableClient, type WriteOutcome } from './table-client';

/** A document client over `client` that marshals as the store expects (MARSHALL_OPTIONS). */
export function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  // A copy: the document client writes its own defaults into the options it is given.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { ...MARSHALL_OPTIONS } });
}

/**
 * A function's table client, created once at init. Region, credentials and
 * endpoint (AWS_ENDPOINT_URL_DYNAMODB) are the SDK's to read from the
 * environment; `config` adds to them (tests, DynamoDB Local).
 */
export function functionTable(config: DynamoDBClientConfig = {}): TableClient {
  return documentTable(documentClientOf(new DynamoDBClient({ requestHandler: { ...SDK_REQUEST_HANDLER }, ...config })));
}

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
    delete: (input) => conditional(() => doc.send(new DeleteCommand(input))),
    async transactWrite(input) {
      await doc.send(new TransactWriteCommand(input));
    },
    batchGet: (input) =>
      followUnprocessedKeys(input, async (request) => {
        const answer = await doc.send(new BatchGetCommand(request));
        return { Responses: answer.Responses ?? {}, UnprocessedKeys: answer.UnprocessedKeys };
      }),
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
