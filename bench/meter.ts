/**
 * A DynamoDB meter installed as client middleware (nothing is mocked): it counts
 * every request by command and prices it in capacity units as AWS bills them.
 *
 * - It sets `ReturnConsumedCapacity: 'INDEXES'` on every command that takes it,
 *   whoever built it (our store or Powertools), and sums what DynamoDB Local
 *   answers: the base table's units and each index's.
 * - DynamoDB Local over-reports transactional writes (its table share is twice
 *   AWS's 2 units per KB, its index share four times the plain index write AWS
 *   charges): those are scaled back here. `checkCapacityRules` (capacity-rules.ts)
 *   verifies every such assumption against AWS's documented rules at the start
 *   of each bench run.
 * - A write refused by its condition answers with an error that carries no
 *   capacity, yet AWS bills it: by the size of the stored item (1 unit when
 *   there is none), to the table only. The meter asks for that item on every
 *   conditional write (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, which
 *   AWS does not charge for) and prices it with the item-size rules
 *   (item-size.ts). A cancelled TransactWriteItems is priced as if every item in
 *   it had been written transactionally at its stored size (an upper bound:
 *   AWS documents no figure for it, and our code only sends one after a lost race).
 * - Query results are counted too (items returned and evaluated).
 * - Every figure is also kept by operation: the command, the index it reads
 *   (if any) and the key prefix of the items it touches (`PutItemCommand ORDER#`,
 *   `QueryCommand by-transaction:FOLLOWUPS#`), so that a cost is told apart by
 *   what it is for (operationOf).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { TableClient } from '../functions/store/table-client';
import { itemBytes, writeUnitsOf } from './item-size';

const Units = z.object({ CapacityUnits: z.number().optional(), ReadCapacityUnits: z.number().optional(), WriteCapacityUnits: z.number().optional() });
const Capacity = Units.extend({ Table: Units.optional(), GlobalSecondaryIndexes: z.record(z.string(), Units).optional() });
type Capacity = z.output<typeof Capacity>;
const Output = z.object({
  ConsumedCapacity: z.union([Capacity, z.array(Capacity)]).optional(),
  Items: z.array(z.unknown()).optional(),
  Count: z.number().optional(),
  ScannedCount: z.number().optional(),
});
const Input = z.object({ ReturnConsumedCapacity: z.string().optional() }).loose();
const ConditionalInput = z.object({ ConditionExpression: z.string().optional(), ReturnValuesOnConditionCheckFailure: z.string().optional() }).loose();
const TransactInput = z.object({ TransactItems: z.array(z.record(z.string(), z.unknown())) }).loose();

const WRITE_COMMANDS = new Set(['PutItemCommand', 'PutCommand', 'UpdateItemCommand', 'UpdateCommand', 'DeleteItemCommand', 'DeleteCommand', 'TransactWriteItemsCommand', 'TransactWriteCommand', 'BatchWriteItemCommand', 'BatchWriteCommand']);
const SINGLE_WRITES = new Set(['PutItemCommand', 'PutCommand', 'UpdateItemCommand', 'UpdateCommand', 'DeleteItemCommand', 'DeleteCommand']);
const TRANSACT_WRITES = new Set(['TransactWriteItemsCommand', 'TransactWriteCommand']);
/** Commands that accept ReturnConsumedCapacity. */
const CAPACITY_COMMANDS = new Set([
  ...WRITE_COMMANDS,
  'GetItemCommand', 'GetCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'BatchGetCommand', 'TransactGetItemsCommand', 'TransactGetCommand',
]);

/** DynamoDB Local's transactional figures over AWS's (see capacity-rules.ts, which checks them). */
export const LOCAL_TRANSACT_OVERCOUNT = { table: 2, index: 4 } as const;

/** Units of one command, as AWS bills them. */
export interface Units {
  /** Write units of successful writes: base table plus indexes. */
  write: number;
  /** Of `write`, the indexes' share. */
  index: number;
  /** Write units of writes refused by their condition (priced by stored item size). */
  refused: number;
  read: number;
}

export interface MeterReading extends Units {
  requests: number;
  /** Units and requests by operation (operationOf: command, index, key prefixes). */
  byOperation: Record<string, Units & { requests: number }>;
  byCommand: Record<string, number>;
  /** Units by command name. */
  unitsByCommand: Record<string, Units>;
  /** Index write units by index name. */
  byIndex: Record<string, number>;
  /** Writes refused by their condition (ConditionalCheckFailedException, TransactionCanceledException). */
  refusedWrites: number;
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

function zero(): Units {
  return { write: 0, index: 0, refused: 0, read: 0 };
}

function empty(): MeterReading {
  return { ...zero(), requests: 0, byOperation: {}, byCommand: {}, unitsByCommand: {}, byIndex: {}, refusedWrites: 0, queryItems: 0, queryScanned: 0 };
}

function unitsOf(capacity: z.output<typeof Units> | undefined): number {
  if (capacity === undefined) return 0;
  return capacity.CapacityUnits ?? (capacity.ReadCapacityUnits ?? 0) + (capacity.WriteCapacityUnits ?? 0);
}

/** A write's units as AWS bills them, from DynamoDB Local's answer (transactional shares scaled back). */
export function pricedWrite(command: string, consumed: readonly Capacity[]): { write: number; index: number; byIndex: Record<string, number> } {
  const transact = TRANSACT_WRITES.has(command);
  let table = 0;
  let index = 0;
  const byIndex: Record<string, number> = {};
  for (const capacity of consumed) {
    let indexes = 0;
    for (const [name, units] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
      const priced = unitsOf(units) / (transact ? LOCAL_TRANSACT_OVERCOUNT.index : 1);
      byIndex[name] = (byIndex[name] ?? 0) + priced;
      indexes += unitsOf(units);
    }
    table += capacity.Table ? unitsOf(capacity.Table) : unitsOf(capacity) - indexes;
    index += indexes;
  }
  if (transact) {
    table /= LOCAL_TRANSACT_OVERCOUNT.table;
    index /= LOCAL_TRANSACT_OVERCOUNT.index;
  }
  return { write: table + index, index, byIndex };
}

/** Write units AWS bills for a refused write: the stored item's size, at least 1 (table only). */
export function refusedUnits(storedItem: Record<string, AttributeValue> | undefined): number {
  return storedItem === undefined ? 1 : writeUnitsOf(itemBytes(storedItem));
}

const ConditionalError = z.object({ name: z.literal('ConditionalCheckFailedException'), Item: z.record(z.string(), z.unknown()).optional() }).loose();
const CancelledError = z
  .object({
    name: z.literal('TransactionCanceledException'),
    CancellationReasons: z.array(z.object({ Code: z.string().optional(), Item: z.record(z.string(), z.unknown()).optional() }).loose()).optional(),
  })
  .loose();

/** Units of a refused write from its error, or null when the error is no refusal. */
function refusalOf(error: unknown): number | null {
  const conditional = ConditionalError.safeParse(error);
  if (conditional.success) return refusedUnits(conditional.data.Item as Record<string, AttributeValue> | undefined);
  const cancelled = CancelledError.safeParse(error);
  if (cancelled.success) {
    return (cancelled.data.CancellationReasons ?? []).reduce((sum, reason) => sum + 2 * refusedUnits(reason.Item as Record<string, AttributeValue> | undefined), 0);
  }
  return null;
}

/** Asks for the stored item on every conditional write (free on AWS), so that a refusal can be priced. */
function withOldItemOnFailure(command: string, input: Record<string, unknown>): Record<string, unknown> {
  const ask = (write: Record<string, unknown>) => {
    const parsed = ConditionalInput.safeParse(write);
    return parsed.success && parsed.data.ConditionExpression !== undefined ? { ...write, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : write;
  };
  if (SINGLE_WRITES.has(command)) return ask(input);
  if (TRANSACT_WRITES.has(command)) {
    const parsed = TransactInput.safeParse(input);
    if (!parsed.success) return input;
    const items = parsed.data.TransactItems.map((entry) =>
      Object.fromEntries(Object.entries(entry).map(([kind, write]) => [kind, kind === 'ConditionCheck' || typeof write !== 'object' || write === null ? write : ask(write as Record<string, unknown>)])),
    );
    return { ...input, TransactItems: items };
  }
  return input;
}

/** A partition key's family: up to and including its first `#` (`ORDER#`, `FOLLOWUPS#`), or the whole key. */
function prefixOf(value: unknown): string | null {
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null && typeof (value as { S?: unknown }).S === 'string' ? (value as { S: string }).S : null;
  if (text === null) return null;
  const at = text.indexOf('#');
  return at < 0 ? text : text.slice(0, at + 1);
}

/** A table without `pk` (the common approach's): its item's key attribute, `order_id` or `id` (Powertools' idempotency record), else `?`. */
function keyNameOf(item: Record<string, unknown>): string {
  return ['order_id', 'id'].find((name) => name in item) ?? '?';
}

/**
 * What a request is for: its command, the index it reads and the key prefixes of
 * the items it touches (sorted, joined by `+` for a transaction or a batch).
 */
export function operationOf(command: string, input: Record<string, unknown>): string {
  const record = (value: unknown) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
  const prefixes = new Set<string>();
  const add = (item: unknown) => {
    const prefix = prefixOf(record(item).pk);
    if (prefix !== null) prefixes.add(prefix);
  };
  add(input.Key);
  add(input.Item);
  const values = record(input.ExpressionAttributeValues);
  if (command.startsWith('Query')) {
    const prefix = prefixOf(values[':pk']);
    if (prefix !== null) prefixes.add(prefix);
  }
  for (const entry of Array.isArray(input.TransactItems) ? input.TransactItems : []) {
    for (const write of Object.values(record(entry))) {
      add(record(write).Item);
      add(record(write).Key);
    }
  }
  for (const request of Object.values(record(input.RequestItems))) for (const key of Array.isArray(record(request).Keys) ? (record(request).Keys as unknown[]) : []) add(key);
  const index = typeof input.IndexName === 'string' ? `${input.IndexName}:` : '';
  return `${command.replace(/Command$/, '')} ${index}${[...prefixes].sort().join('+') || keyNameOf(record(input.Key ?? input.Item))}`;
}

/** Units and requests by operation (operationOf). */
export type ByOperation = Record<string, Units & { requests: number }>;

/**
 * Units of the requests made inside `meterScope.run(byOperation, work)`, by operation, on top of the
 * meter's own reading: what one delivery cost when several are answered at once (issue 76's break-even
 * share splits a webhook's units between accepted and refused deliveries).
 */
export const meterScope = new AsyncLocalStorage<ByOperation>();

/** Runs `work`, and gives its answer (or error) with the units of the metered requests it made, by operation. */
export async function withinMeterScope<T>(work: () => Promise<T>): Promise<{ units: ByOperation; answer: { value: T } | { error: unknown } }> {
  const units: ByOperation = {};
  try {
    return { units, answer: { value: await meterScope.run(units, work) } };
  } catch (error) {
    return { units, answer: { error } };
  }
}

/** Attaches a meter to a client (a DocumentClient shares its client's stack: attach to the client). */
export function attachMeter(client: DynamoDBClient): Meter {
  let reading = empty();
  const name = `benchMeter-${randomUUID()}`;
  const add = (command: string, operation: string, units: Partial<Units>) => {
    const entry = (reading.unitsByCommand[command] ??= zero());
    const byOperation = (reading.byOperation[operation] ??= { ...zero(), requests: 0 });
    const scoped = meterScope.getStore();
    const inScope = scoped === undefined ? undefined : (scoped[operation] ??= { ...zero(), requests: 0 });
    for (const key of ['write', 'index', 'refused', 'read'] as const) {
      entry[key] += units[key] ?? 0;
      byOperation[key] += units[key] ?? 0;
      reading[key] += units[key] ?? 0;
      if (inScope !== undefined) inScope[key] += units[key] ?? 0;
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = Input.safeParse(args.input);
      const operation = operationOf(command, input.success ? input.data : {});
      (reading.byOperation[operation] ??= { ...zero(), requests: 0 }).requests++;
      const scoped = meterScope.getStore();
      if (scoped !== undefined) (scoped[operation] ??= { ...zero(), requests: 0 }).requests++;
      if (input.success && CAPACITY_COMMANDS.has(command)) {
        // Capacity is asked for on every command, whoever built it (our store or Powertools).
        args.input = withOldItemOnFailure(command, { ...input.data, ReturnConsumedCapacity: 'INDEXES' });
      }
      reading.requests++;
      reading.byCommand[command] = (reading.byCommand[command] ?? 0) + 1;
      let result;
      try {
        result = await next(args);
      } catch (error) {
        const refused = WRITE_COMMANDS.has(command) ? refusalOf(error) : null;
        if (refused !== null) {
          reading.refusedWrites++;
          add(command, operation, { refused });
        }
        throw error;
      }
      const output = Output.safeParse(result.output);
      if (output.success) {
        const consumed = output.data.ConsumedCapacity;
        const all = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
        if (WRITE_COMMANDS.has(command)) {
          const priced = pricedWrite(command, all);
          add(command, operation, priced);
          for (const [index, units] of Object.entries(priced.byIndex)) reading.byIndex[index] = (reading.byIndex[index] ?? 0) + units;
        }
        else add(command, operation, { read: all.reduce((sum, c) => sum + unitsOf(c), 0) });
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
    reading: () => ({
      ...reading,
      byCommand: { ...reading.byCommand },
      byIndex: { ...reading.byIndex },
      unitsByCommand: structuredClone(reading.unitsByCommand),
      byOperation: structuredClone(reading.byOperation),
    }),
    reset: () => {
      reading = empty();
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}

/**
 * Whether a request is about a follow-up: its key, its items' keys or the partition
 * it reads start with FOLLOWUP. A request that mixes follow-up and other items is an
 * error: its units could not be told apart.
 */
export function isFollowUpRequest(input: unknown): boolean {
  const text = JSON.stringify(input);
  const partitions = [...text.matchAll(/"(?:pk|:pk)":"([^"]*)"/g)].map((match) => match[1]!);
  const followUp = partitions.filter((pk) => pk.startsWith('FOLLOWUP'));
  if (followUp.length > 0 && followUp.length !== partitions.length) throw new Error(`a request mixes follow-up and other items: ${text}`);
  return followUp.length > 0;
}

/** A table client that sends follow-up requests through `followUp` (each with its own meter), the rest through `rest`. */
export function splitTable(followUp: TableClient, rest: TableClient): TableClient {
  const pick = (input: unknown) => (isFollowUpRequest(input) ? followUp : rest);
  return {
    get: (input) => pick(input).get(input),
    query: (input) => pick(input).query(input),
    put: (input) => pick(input).put(input),
    update: (input) => pick(input).update(input),
    delete: (input) => pick(input).delete(input),
    transactWrite: (input) => pick(input).transactWrite(input),
    batchGet: (input) => pick(input).batchGet(input),
  };
}
