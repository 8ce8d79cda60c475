/**
 * A DynamoDB meter installed as client middleware (nothing is mocked): it counts
 * every request by command, asks DynamoDB for the consumed capacity of every
 * command by setting `ReturnConsumedCapacity: 'INDEXES'` (the total, and the
 * base table's share of it) on its input (the store
 * functions do not ask for it themselves), sums the capacity units answered,
 * and counts the items each Query returned and evaluated.
 *
 * A write whose condition fails answers with an error that carries no
 * consumed capacity (DynamoDB Local, like DynamoDB, puts none in the error), so
 * those are counted apart: on AWS each still costs at least one write unit.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';

const Units = z.object({ CapacityUnits: z.number().optional(), ReadCapacityUnits: z.number().optional(), WriteCapacityUnits: z.number().optional() });
const Capacity = Units.extend({ Table: Units.optional() });
const Output = z.object({
  ConsumedCapacity: z.union([Capacity, z.array(Capacity)]).optional(),
  Items: z.array(z.unknown()).optional(),
  Count: z.number().optional(),
  ScannedCount: z.number().optional(),
});
const Input = z.object({ ReturnConsumedCapacity: z.string().optional() }).loose();

const WRITE_COMMANDS = new Set(['PutItemCommand', 'PutCommand', 'UpdateItemCommand', 'UpdateCommand', 'DeleteItemCommand', 'DeleteCommand', 'TransactWriteItemsCommand', 'TransactWriteCommand', 'BatchWriteItemCommand', 'BatchWriteCommand']);
/** Commands that accept ReturnConsumedCapacity. */
const CAPACITY_COMMANDS = new Set([
  ...WRITE_COMMANDS,
  'GetItemCommand', 'GetCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'BatchGetCommand', 'TransactGetItemsCommand', 'TransactGetCommand',
]);

export interface MeterReading {
  requests: number;
  byCommand: Record<string, number>;
  /** Capacity units of writes answered by DynamoDB (successful writes). */
  writeUnits: number;
  /** Of writeUnits, those of the base table (the rest is index maintenance). */
  tableWriteUnits: number;
  /** Capacity units of reads answered by DynamoDB. */
  readUnits: number;
  /** Writes refused by their condition (ConditionalCheckFailedException, TransactionCanceledException). */
  failedConditionalWrites: number;
  /** Query items returned and evaluated. */
  queryItems: number;
  queryScanned: number;
}

export interface Meter {
  reading(): MeterReading;
  reset(): void;
  /** Removes the middleware. */
  detach(): void;
}

function empty(): MeterReading {
  return { requests: 0, byCommand: {}, writeUnits: 0, tableWriteUnits: 0, readUnits: 0, failedConditionalWrites: 0, queryItems: 0, queryScanned: 0 };
}

function unitsOf(capacity: z.output<typeof Units>): number {
  return capacity.CapacityUnits ?? (capacity.ReadCapacityUnits ?? 0) + (capacity.WriteCapacityUnits ?? 0);
}

/** Attaches a meter to a client (a DocumentClient shares its client's stack: attach to the client). */
export function attachMeter(client: DynamoDBClient): Meter {
  let reading = empty();
  const name = `benchMeter-${randomUUID()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = Input.safeParse(args.input);
      if (input.success && CAPACITY_COMMANDS.has(command)) {
        // Capacity is asked for on every command, whoever built it (our store or Powertools).
        args.input = { ...input.data, ReturnConsumedCapacity: 'INDEXES' };
      }
      reading.requests++;
      reading.byCommand[command] = (reading.byCommand[command] ?? 0) + 1;
      const isWrite = WRITE_COMMANDS.has(command);
      let result;
      try {
        result = await next(args);
      } catch (error) {
        if (error instanceof Error && (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException')) {
          reading.failedConditionalWrites++;
        }
        throw error;
      }
      const output = Output.safeParse(result.output);
      if (output.success) {
        const consumed = output.data.ConsumedCapacity;
        const all = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
        const units = all.reduce((sum, c) => sum + unitsOf(c), 0);
        if (isWrite) {
          reading.writeUnits += units;
          reading.tableWriteUnits += all.reduce((sum, c) => sum + (c.Table ? unitsOf(c.Table) : unitsOf(c)), 0);
        }
        else reading.readUnits += units;
        if (command === 'QueryCommand') {
          reading.queryItems += output.data.Items?.length ?? 0;
          reading.queryScanned += output.data.ScannedCount ?? 0;
        }
      }
      return result;
    },
    // initialize: before the DocumentClient marshals, so its commands are seen too.
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    reading: () => ({ ...reading, byCommand: { ...reading.byCommand } }),
    reset: () => {
      reading = empty();
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
