/**
 * The FHIR writer's dependencies (functions/fhir-writer/deps.ts): one set from
 * the writer's settings, for the deployed handler and npm start alike, and the
 * order-safe write's set from any trigger's.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { fhirWriterDeps, writerSyncDeps } from '../../functions/fhir-writer/deps';
import { createFhirHttp } from '../../functions/fhir/client/http';
import type { FhirConfig } from '../../functions/fhir/client/settings';
import type { TableClient } from '../../functions/store/table-client';

const db = {} as unknown as TableClient;
const http = createFhirHttp({ baseUrl: 'https://ehr.example/fhir', tokens: null });
const systems = { ...DEFAULT_FHIR_SYSTEMS };
const config = (over: Partial<FhirConfig>): FhirConfig => ({ baseUrl: 'https://ehr.example/fhir', systems, catchUpPerSweep: 200, ehrActions: true, pollSeconds: 300, pollMax: 7, auth: null, ...over });

describe('the FHIR writer\'s dependencies', () => {
  it('are built from its settings: the EHR\'s work off with FHIR_EHR_ACTIONS=off, an EHR close held with a close group, FHIR_POLL_MAX', () => {
    const settings = { db, tableName: 't', http, thresholds: DEFAULT_THRESHOLDS };
    const on = fhirWriterDeps({ ...settings, config: config({ ehrClosesHeld: true }) });
    expect(on).toMatchObject({ db, tableName: 't', http, baseUrl: 'https://ehr.example/fhir', ehr: { thresholds: DEFAULT_THRESHOLDS, closesHeld: true }, pollMax: 7 });
    // The systems themselves, not a copy: npm start sets their console link once it listens.
    expect(on.systems).toBe(systems);
    expect(fhirWriterDeps({ ...settings, config: config({}) }).ehr).toEqual({ thresholds: DEFAULT_THRESHOLDS, closesHeld: false });
    expect(fhirWriterDeps({ ...settings, config: config({ ehrActions: false, ehrClosesHeld: true }) }).ehr).toBeNull();
  });

  it('give the order-safe write a trigger\'s parts: its clock, else the system\'s; its EHR settings, else off', () => {
    const parts = { db, tableName: 't', http, systems, baseUrl: 'https://ehr.example/fhir' };
    const clock = () => new Date('2026-11-27T15:00:00.000Z');
    const ehr = { thresholds: DEFAULT_THRESHOLDS };
    expect(writerSyncDeps({ ...parts, ehr, now: clock })).toEqual({ ...parts, ehr, now: clock });
    // A trigger's other dependencies (its logger, FHIR_POLL_MAX) are not the write's.
    const trigger = { ...parts, logger: null, pollMax: 1 };
    const defaults = writerSyncDeps(trigger);
    expect(Object.keys(defaults).sort()).toEqual(['baseUrl', 'db', 'ehr', 'http', 'now', 'systems', 'tableName']);
    expect(defaults.ehr).toBeNull();
    expect(Math.abs(defaults.now().getTime() - Date.now())).toBeLessThan(5_000);
  });
});
