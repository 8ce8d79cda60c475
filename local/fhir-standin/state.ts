/**
 * The state of one stand-in FHIR server (local/fhir-standin.ts): its engine
 * (`FhirRouter`) over a MemoryRepository on the stand-in's clock, the Task
 * version log, the faults still to play, the request log and the one chain every
 * write goes through (FhirStore); and the parts its routes share while it runs
 * (FhirStandinState).
 */
import type { SearchRequest, WithId } from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, Task } from '@medplum/fhirtypes';
import { ResourceHistories } from './history';
import type { FhirStandinPaging } from './paging';
import type { SubscriptionHub, TaskChange } from './subscriptions';
import type { TokenIssuer } from './token';
import type { EhrAuthorStyle, Fault, FhirStandinEndpoint, FhirStandinRequest, FhirStandinVersion } from './types';
import { takeFault, type FaultDelays } from '../standin/faults';

/** A database read's latency, so that unserialized conditional creates would race as on a real server. */
const SEARCH_LATENCY_MS = 10;

/** A running stand-in's parts, shared by its request path, its FHIR interactions and its control surface. */
export interface FhirStandinState {
  readonly store: FhirStore;
  readonly tokens: TokenIssuer;
  readonly subscriptions: SubscriptionHub;
  readonly delays: FaultDelays;
  /** http://127.0.0.1:<port>, once it listens. */
  origin: string;
  paging: FhirStandinPaging;
  /** Where an EHR edit names its author now, and where it did at the start (a reset goes back to it). */
  authorStyle: EhrAuthorStyle;
  readonly startAuthorStyle: EhrAuthorStyle;
  /** Keep the previous version's meta.tag on update (HAPI-like). */
  readonly tagsCarriedForward: boolean;
}

/**
 * The MemoryRepository on the stand-in's clock, assigning every version's id and time
 * itself (as a server does), and telling `onTaskChange` of every Task stored or deleted
 * (the engine's update is a create of the next version).
 */
export class ClockedRepository extends MemoryRepository {
  /** Every version and deletion, for the instance history (the engine's own forgets a deleted resource's). */
  private readonly histories = new ResourceHistories();

  constructor(
    private readonly now: () => Date,
    private readonly onTaskChange: (change: TaskChange) => void,
  ) {
    super();
  }

  /** Every version goes through here (the engine's update creates its new version by this method). */
  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const copy = structuredClone(resource);
    const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = copy.meta ?? {};
    copy.meta = { ...meta, lastUpdated: this.now().toISOString() };
    const previous = copy.resourceType === 'Task' && copy.id ? await this.readResource<Task>('Task', copy.id).catch(() => undefined) : undefined;
    const stored = await super.createResource(copy);
    this.histories.version(stored);
    if (stored.resourceType === 'Task') this.onTaskChange({ task: structuredClone(stored) as unknown as Task, previous, interaction: previous ? 'update' : 'create' });
    return stored;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const previous = resourceType === 'Task' ? await this.readResource<Task>('Task', id) : undefined;
    await super.deleteResource(resourceType, id);
    this.histories.deletion(resourceType, id, this.now());
    if (previous) this.onTaskChange({ task: previous, previous, interaction: 'delete' });
  }

  /** `GET [base]/{type}/{id}/_history` (the router passes `_count` as `limit`): as Medplum's server answers it. */
  override async readHistory<T extends Resource>(resourceType: string, id: string, options: { offset?: number; limit?: number } = {}): Promise<Bundle<T>> {
    return this.histories.bundle<T>(resourceType, id, options);
  }

  /**
   * A search answers after a database read's latency: without the stand-in's one
   * write chain, two conditional creates then both find nothing and both create
   * (the race a real server must close), so its test shows the chain is needed.
   */
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const found = await super.search(request);
    await new Promise<void>((resolve) => setTimeout(resolve, SEARCH_LATENCY_MS));
    return found;
  }
}

/** The stored Tasks and version log, the engine, and the one chain every write goes through. */
export class FhirStore {
  readonly router = new FhirRouter();
  repo: ClockedRepository;
  readonly log: FhirStandinVersion[] = [];
  readonly faults: Fault[] = [];
  readonly requests: FhirStandinRequest[] = [];
  /** Told of every Task change (the Subscriptions' hook). */
  onTaskChange: (change: TaskChange) => void = () => undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly now: () => Date) {
    this.repo = new ClockedRepository(now, (change) => this.onTaskChange(change));
  }

  /** Runs `write` after every write before it has finished: one write at a time. */
  serialize<T>(write: () => Promise<T>): Promise<T> {
    const run = this.chain.then(write, write);
    this.chain = run.catch(() => undefined);
    return run;
  }

  record(task: Task, by: FhirStandinVersion['by']): void {
    this.log.push({ id: task.id ?? '', versionId: task.meta?.versionId ?? '', at: task.meta?.lastUpdated ?? '', by, resource: structuredClone(task) });
  }

  reset(): void {
    this.repo = new ClockedRepository(this.now, (change) => this.onTaskChange(change));
    this.log.length = 0;
    this.faults.length = 0;
    this.requests.length = 0;
  }

  async tasks(): Promise<Task[]> {
    return this.repo.searchResources<Task>({ resourceType: 'Task' });
  }

  /** The first fault for this endpoint, one of its times used up (`duplicate` only ever for a create). */
  takeFault(endpoint: FhirStandinEndpoint | null, conditionalCreate: boolean): Fault | null {
    return takeFault(this.faults, (fault) =>
      fault.kind === 'duplicate' ? endpoint === 'create' && conditionalCreate : fault.endpoint === undefined || fault.endpoint === endpoint,
    );
  }
}
