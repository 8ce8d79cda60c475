/**
 * npm start's FHIR parts (CONTRACT §13), all added here and only with
 * FHIR_BASE_URL set (null otherwise: no client, no request): the FHIR client,
 * the writer's own stream reader (as its own mapping reads the stream on AWS),
 * its poll's timer, and its notices queue (what the notifications route
 * enqueues). The sweep's catch-up and the query's Task state read the same
 * configuration; the Tasks link to npm start's console once it listens.
 */
import type { StaleThresholds } from '../../functions/core/staleness';
import { fhirClientOf } from '../../functions/fhir/client/client';
import type { FhirHttp } from '../../functions/fhir/client/http';
import { fhirConfigOf, type FhirConfig } from '../../functions/fhir/client/settings';
import { SERVICES } from '../../functions/shared/metric-names';
import { createLogger } from '../../functions/shared/observability';
import type { FhirCatchUp } from '../../functions/stale-redraw-sweep/steps/fhir';
import type { LocalSettings } from '../config';
import { localFhirStatus, type LocalFhirStatus } from './fhir-status';
import { startFhirNoticeQueue, type FhirNoticeQueue } from './fhir-notice-queue';
import { startFhirPoller } from './fhir-poller';
import { startFhirWriterReader } from './fhir-writer-reader';
import type { StreamReader } from '../stream-reader';
import type { Lifecycle } from './lifecycle';
import type { LocalStorage } from './storage';

/** FHIR's configuration and client under npm start. */
export interface FhirSetup {
  config: FhirConfig;
  http: FhirHttp;
}

/** The FHIR writer's running parts. */
export interface LocalFhir {
  /** The writer's stream reader: nudged and awaited with the transaction function's. */
  reader: StreamReader;
  notices: FhirNoticeQueue;
}

/**
 * FHIR's configuration and client, or null with FHIR_BASE_URL unset. The Tasks' console link is
 * npm start's own URL, set by {@link linkTasksTo} once it listens.
 */
export function fhirSetupOf(settings: LocalSettings): FhirSetup | null {
  const config = fhirConfigOf(settings, { consoleUrl: null });
  return config === null ? null : { config, http: fhirClientOf(config, { logger: createLogger(SERVICES.fhirWriter) }) };
}

/** What the query answers of a follow-up's Task: FHIR's base URL and systems, or null with FHIR off. */
export function fhirTargetOf(setup: FhirSetup | null): { baseUrl: string; systems: FhirConfig['systems'] } | null {
  return setup === null ? null : { baseUrl: setup.config.baseUrl, systems: setup.config.systems };
}

/** The sweep's FHIR catch-up, or null with FHIR off. */
export function sweepFhirOf(setup: FhirSetup | null): FhirCatchUp | null {
  if (setup === null) return null;
  const { config, http } = setup;
  return { http, systems: config.systems, baseUrl: config.baseUrl, perSweep: config.catchUpPerSweep, ehrActions: config.ehrActions, ehrClosesHeld: config.ehrClosesHeld === true };
}

/** Starts the writer's stream reader, its poll and its notices queue (in this order, stopped the other way), or nothing with FHIR off. */
export function startFhir(
  setup: FhirSetup | null,
  storage: LocalStorage,
  thresholds: StaleThresholds,
  busy: () => boolean,
  lifecycle: Lifecycle,
): LocalFhir | null {
  if (setup === null) return null;
  const writer = { db: storage.db, tableName: storage.tableName, http: setup.http, config: setup.config, thresholds };
  const reader = lifecycle.started(startFhirWriterReader({ ...writer, streams: storage.streams, streamArn: storage.streamArn, busy, positions: storage.positionsOf(SERVICES.fhirWriter) }));
  lifecycle.started(startFhirPoller(writer));
  return { reader, notices: lifecycle.started(startFhirNoticeQueue(writer)) };
}

/** Every part that computes a Task (the writer, the sweep, the query) shares these systems: their link, npm start's console. */
export function linkTasksTo(setup: FhirSetup | null, consoleUrl: string | null): void {
  if (setup !== null) setup.config.systems.consoleUrl = consoleUrl;
}

/** GET /local/fhir's answer (local/runtime/fhir-status.ts), or null with FHIR off. */
export function fhirStatusOf(setup: FhirSetup | null, { db, tableName }: LocalStorage): (() => Promise<LocalFhirStatus>) | null {
  const target = fhirTargetOf(setup);
  if (setup === null || target === null) return null;
  const pollSeconds = setup.config.ehrActions ? setup.config.pollSeconds : null;
  return () => localFhirStatus(db, tableName, { ...target, pollSeconds }, new Date());
}
