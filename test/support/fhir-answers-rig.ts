/**
 * What the tests of the FHIR writer and the sweep's catch-up against
 * misbehaving servers share (test/integration/fhir-answers.test.ts): two tables
 * of DynamoDB Local (one shared by the file's tests, one of their own for a
 * test that needs the pending partition to itself), the stand-in FHIR server on
 * a clock the tests set, and a misbehaving server in front of it
 * (./fhir-misbehaving.ts) that every writer and sweep talks to; the writer's
 * handler and the catch-up step bound to them, follow-ups opened and acted on
 * through the store, and what the table and the server then hold.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { digestOf } from '../../functions/fhir/sync/source';
import { createFhirWriterHandler } from '../../functions/fhir-writer/app';
import type { SweepContext } from '../../functions/stale-redraw-sweep/steps/context';
import { fhirCatchUpStep } from '../../functions/stale-redraw-sweep/steps/fhir';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { fhirKeys } from '../../functions/store/keys';
import type { TableClient } from '../../functions/store/table-client';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from './dynamodb';
import { startMisbehavingServer, type MisbehavingServer, type RawAnswer } from './fhir-misbehaving';
import { freshId } from './junction';
import { recordingMetrics } from './recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
/** Where each test's clock starts. */
export const START = new Date('2026-11-27T00:00:00.000Z');

/** A Lambda context with `left` ms to go. */
export const context = (left = 60_000) => ({ getRemainingTimeInMillis: () => left });

/** An HTML page (a login page in front of the server) with `status`. */
export const html = (status: number, extra: Record<string, string> = {}): RawAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', ...extra },
  body: '<!doctype html><html><body><h1>Sign in to continue</h1></body></html>',
});
/** A FHIR OperationOutcome with `status` and issue `code`. */
export const outcome = (status: number, code: string): RawAnswer => ({
  status,
  headers: { 'content-type': 'application/fhir+json' },
  body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: 'scripted' }] }),
});

/** The tables, the servers and the clock of the file, started before its tests and reset before each. */
export class FhirAnswerRig {
  shared!: TestTable;
  own!: TestTable;
  standin!: FhirStandin;
  proxy!: MisbehavingServer;
  /** The misbehaving server's base URL: every writer and sweep here talks to it (it forwards what it does not script). */
  base = '';
  /** The tracker's and the FHIR server's clock. */
  clock = START;
  /** What the writer and the catch-up logged as warnings and errors. */
  readonly logs: unknown[][] = [];
  readonly logger = { debug: () => undefined, info: () => undefined, warn: (...args: unknown[]) => void this.logs.push(args), error: (...args: unknown[]) => void this.logs.push(args) };

  constructor() {
    beforeAll(async () => {
      [this.shared, this.own, this.standin] = await Promise.all([createTestTable('fhir-answers'), createTestTable('fhir-answers-own'), startFhirStandin({ now: () => this.clock })]);
      this.proxy = await startMisbehavingServer(this.standin.origin);
      this.base = `${this.proxy.origin}/fhir/R4`;
    });
    afterAll(async () => {
      await Promise.all([this.shared?.drop(), this.own?.drop(), this.standin?.stop(), this.proxy?.stop()]);
    });
    beforeEach(async () => {
      this.clock = START;
      this.proxy.clear();
      this.proxy.seen.length = 0;
      await this.standin.control.reset();
    });
  }

  /** The FHIR client the writer and the catch-up are given. */
  readonly http = () => createFhirHttp({ baseUrl: this.base, tokens: null, timeoutMs: 2_000 });

  /** The FHIR writer's handler on a table (the shared one unless said), its metrics recorded. */
  readonly writer = (options: { db?: TableClient; table?: TestTable; pause?: (ms: number) => Promise<void> } = {}) => {
    const table = options.table ?? this.shared;
    const metrics = recordingMetrics();
    const handle = createFhirWriterHandler({
      db: options.db ?? table.db,
      tableName: table.tableName,
      http: this.http(),
      systems,
      baseUrl: this.base,
      logger: this.logger,
      metrics,
      now: () => this.clock,
      ...(options.pause ? { pause: options.pause } : {}),
    });
    return { handle, metrics };
  };

  /** The sweep's FHIR catch-up step, once, on a table. */
  readonly sweep = async (table: TestTable = this.shared) => {
    const metrics = recordingMetrics();
    const ctx = { db: table.db, tableName: table.tableName, now: this.clock, logger: this.logger, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
    const result = await fhirCatchUpStep(ctx, { http: this.http(), systems, baseUrl: this.base, perSweep: 50 }, metrics);
    return { result, metrics };
  };

  /** A new follow-up, opened now, written as the transaction function writes it. */
  readonly openOne = async (table: TestTable = this.shared): Promise<StoredFollowUp> => {
    const clock = this.clock;
    const id = freshId();
    const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: clock.toISOString() });
    const stored: Omit<StoredFollowUp, 'revision'> = { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null };
    expect(await writeStoredFollowUp(table.db, table.tableName, null, stored, [openingEntry(followUp, clock)], clock)).toBe('written');
    return (await getFollowUp(table.db, table.tableName, id, clock))!;
  };

  /** A person's action on a follow-up, as the HTTP route applies it; it must change it. */
  readonly act = async (id: string, body: Record<string, unknown>, table: TestTable = this.shared): Promise<StoredFollowUp> => {
    const clock = this.clock;
    const result = await actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: clock, thresholds: DEFAULT_THRESHOLDS });
    expect(result.kind).toBe('changed');
    return (await getFollowUp(table.db, table.tableName, id, clock))!;
  };

  /**
   * The tracker's own change (no new version): the order flagged stale (`flag`) or the flag cleared, as the sweep writes it,
   * on the follow-up as stored now (the writer may have added a version since `given` was read: its record of EHR work).
   */
  readonly trackerChange = async (given: StoredFollowUp, flag: boolean, table: TestTable = this.shared): Promise<StoredFollowUp> => {
    const clock = this.clock;
    const stored = (await getFollowUp(table.db, table.tableName, given.followUp.id, clock)) ?? given;
    const staleFlag = flag ? { since: clock.toISOString(), reason: 'no_progress', orderId: stored.followUp.initial_order_id!, statusTime: clock.toISOString() } : null;
    const next = { ...stored, revision: stored.revision + 1, staleFlag } as StoredFollowUp;
    await table.db.put({ TableName: table.tableName, Item: itemOf(next, true) });
    return next;
  };

  /** The FHIR server's Tasks of follow-up `id`. */
  readonly tasksOf = async (id: string) => (await this.standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));

  /** An item of the table as stored. */
  readonly rawItem = async (key: Record<string, unknown>, table: TestTable = this.shared): Promise<Record<string, unknown> | undefined> =>
    table.db.get({ TableName: table.tableName, Key: key, ConsistentRead: true });

  /** The pending FHIR records of follow-up `id`. */
  readonly pendingItems = async (id: string, table: TestTable = this.shared): Promise<Record<string, unknown>[]> => {
    const page = await table.db.query({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': fhirKeys.pending('', '').pk },
    });
    return page.Items.filter((item) => item.fid === id);
  };

  /** Follow-up `id` has one Task on the server, with its content, and nothing pending. */
  readonly expectCurrent = async (id: string, table: TestTable = this.shared) => {
    const current = (await getFollowUp(table.db, table.tableName, id, this.clock))!;
    const tasks = await this.tasksOf(id);
    expect(tasks).toHaveLength(1);
    expect(contentDigest(tasks[0] as never, systems)).toBe(digestOf(current, systems));
    expect(await this.pendingItems(id, table)).toEqual([]);
  };

  /** The reason the writer or the catch-up logged for follow-up `id`'s unavailable answer, and its status. */
  readonly unavailableLogged = (id: string): { reason: unknown; status: unknown } | undefined => {
    const logs = this.logs;
    const entry = logs.map((args) => args[1] as Record<string, unknown> | undefined).findLast((fields) => fields?.follow_up_id === id && 'reason' in fields);
    if (entry) return { reason: entry.reason, status: entry.status };
    // A search's 404 is logged apart (base_url_not_found), with its status.
    const notFound = logs.find((args) => String(args[0]).includes('answered 404') && (args[1] as Record<string, unknown>)?.follow_up_id === id);
    return notFound ? { reason: 'base_url_not_found', status: (notFound[1] as Record<string, unknown>).status } : undefined;
  };
}
