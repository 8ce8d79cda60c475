/**
 * A write keeps what the EHR holds (CONTRACT §13): the Task as read with the
 * mapped fields replaced, and removed where the new content lacks them; the
 * EHR's own elements (a note, `for`, `requester`, `performerType`, other
 * systems' identifiers and extensions, meta's tag, security and profile, any
 * element the tracker does not map) exactly as read; of `meta` nothing else;
 * a generated `text` dropped. And a change to the EHR's elements alone
 * changes no digest, so it starts no write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS, extensionUrls, MAPPED_FIELDS, taskOf, type FhirSystems, type FhirTask, type TaskSource } from '../../../../functions/core/fhir/task';
import { readTask } from '../../../../functions/core/fhir/read-task';
import { taskToWrite } from '../../../../functions/core/fhir/task-write';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';
import { ehrArbitrary, sourceArbitrary, systemsArbitrary, withEhrElements } from '../../../support/fhir-task-sources';
import { propertyRuns } from '../../../support/property-runs';

type Entry = Record<string, unknown>;
const entries = (value: unknown): Entry[] => (Array.isArray(value) ? (value as Entry[]) : []);
const trackersUrls = (systems: FhirSystems) => new Set(Object.values(extensionUrls(systems)));
/** The identifiers and extensions split into the tracker's and the EHR's. */
function split(task: Entry, systems: FhirSystems) {
  const urls = trackersUrls(systems);
  const identifiers = entries(task.identifier);
  const extensions = entries(task.extension);
  return {
    trackersIdentifiers: identifiers.filter((one) => one.system === systems.task),
    ehrIdentifiers: identifiers.filter((one) => one.system !== systems.task),
    trackersExtensions: extensions.filter((one) => urls.has(one.url as string)),
    ehrExtensions: extensions.filter((one) => !urls.has(one.url as string)),
  };
}
const SENT_META = ['tag', 'security', 'profile'];

describe('taskToWrite keeps what the EHR holds (property)', () => {
  it('every EHR element survives, the mapped fields are exactly the new mapping, and EHR elements alone change no digest', () => {
    fc.assert(
      fc.property(sourceArbitrary, sourceArbitrary, systemsArbitrary, ehrArbitrary, (before, after, systems, ehr) => {
        const prior = taskOf(before, systems);
        const read = withEhrElements(prior, ehr);
        const mapped = taskOf(after, systems);
        const written = taskToWrite(read, mapped, systems);

        // The EHR's own: every element as read, its identifiers and extensions in their order, meta cut, text unless generated.
        for (const [field, value] of Object.entries(ehr.elements)) expect(written[field]).toStrictEqual(value);
        const readParts = split(read, systems);
        const writtenParts = split(written, systems);
        expect(writtenParts.ehrIdentifiers).toStrictEqual(readParts.ehrIdentifiers);
        expect(writtenParts.ehrExtensions).toStrictEqual(readParts.ehrExtensions);
        const meta = Object.fromEntries(SENT_META.filter((field) => ehr.meta[field] !== undefined).map((field) => [field, ehr.meta[field]]));
        if (Object.keys(meta).length === 0) expect(written).not.toHaveProperty('meta');
        else expect(written.meta).toStrictEqual(meta);
        if (ehr.text === null || ehr.text.status === 'generated') expect(written).not.toHaveProperty('text');
        else expect(written.text).toStrictEqual(ehr.text);
        expect(written.id).toBe(ehr.id);

        // The tracker's: exactly the new mapping, present where it has them and nowhere else.
        for (const field of MAPPED_FIELDS.filter((one) => one !== 'identifier')) {
          expect(Object.hasOwn(written, field)).toBe(mapped[field] !== undefined);
          expect(written[field]).toStrictEqual(mapped[field]);
        }
        expect(writtenParts.trackersIdentifiers).toStrictEqual(mapped.identifier);
        expect(writtenParts.trackersExtensions).toStrictEqual(mapped.extension);
        const known = new Set<string>(['id', 'meta', 'text', 'extension', ...MAPPED_FIELDS, ...Object.keys(ehr.elements)]);
        expect(Object.keys(written).filter((field) => !known.has(field))).toEqual([]);

        // Its content is the tracker's (it hashes to its stated digest), and the EHR's elements alone changed no digest.
        expect(readTask(written, systems)?.trackersContent).toBe(true);
        expect(contentDigest(read, systems)).toBe(contentDigest(prior, systems));
        expect(contentDigest(written, systems)).toBe(contentDigest(mapped, systems));
        // Written again over what it wrote, it writes the same.
        expect(taskToWrite({ ...written, meta: ehr.meta }, mapped, systems)).toStrictEqual(written);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

const systems = DEFAULT_FHIR_SYSTEMS;
const opened = openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: null, openedAt: '2026-11-01T10:00:00.000Z' });
const source = (followUp: Partial<FollowUp> = {}, rest: Partial<TaskSource> = {}): TaskSource => ({
  followUp: { ...opened, ...followUp },
  stale: false,
  lastAt: '2026-11-01T10:00:01.000Z',
  revision: 3,
  kind: 'redraw',
  ...rest,
});
const asRead = (task: FhirTask, extra: Entry = {}): Entry => ({ ...task, id: 'srv-1', meta: { versionId: '4', lastUpdated: '2026-11-02T00:00:00Z' }, ...extra });

describe('taskToWrite, case by case', () => {
  it('without a Task read, is the mapped Task itself', () => {
    const mapped = taskOf(source({ owner: 'j.doe' }), systems);
    expect(taskToWrite(null, mapped, systems)).toStrictEqual({ ...mapped });
  });

  it('removes what the new content lacks: the hold after a snooze ends, the business status once attention clears, the inputs once nothing is missing', () => {
    const snoozed = taskOf(
      source({
        state: 'snoozed',
        snoozed_until: '2026-11-05T00:00:00.000Z',
        snooze_reason: 'patient_requested',
        attention: 'redraw_failed',
        missing: { order_id: 'o', status: 'sample_error', status_detail: null, markers: 2, failure_types: null },
      }),
      systems,
    );
    const acknowledged = taskOf(source({ state: 'acknowledged', acknowledged_at: '2026-11-01T11:00:00.000Z' }), systems);
    const written = taskToWrite(asRead(snoozed, { note: [{ text: 'Called twice' }] }), acknowledged, systems);
    for (const field of ['restriction', 'businessStatus', 'statusReason', 'input']) expect(written).not.toHaveProperty(field);
    expect(written).toMatchObject({ id: 'srv-1', status: 'in-progress', note: [{ text: 'Called twice' }], description: 'A redraw to follow up.' });
    expect(written).not.toHaveProperty('meta');
  });

  it("keeps the tracker's identifier in place: an EHR identifier before it stays before it", () => {
    const mapped = taskOf(source(), systems);
    const ehrId = { system: 'https://ehr.example.org/ids', value: 'E-1' };
    const written = taskToWrite(asRead(mapped, { identifier: [ehrId, ...mapped.identifier] }), taskOf(source({ version: 2 }), systems), systems);
    expect(written.identifier).toStrictEqual([ehrId, ...mapped.identifier]);
  });

  it("puts the tracker's identifier first when the Task read has none of it", () => {
    const mapped = taskOf(source(), systems);
    const ehrId = { system: 'https://ehr.example.org/ids', value: 'E-1' };
    expect(taskToWrite(asRead(mapped, { identifier: [ehrId] }), mapped, systems).identifier).toStrictEqual([...mapped.identifier, ehrId]);
  });

  it('drops a generated text and meta beyond tag, security and profile; keeps an additional text', () => {
    const mapped = taskOf(source(), systems);
    const meta = { versionId: '7', lastUpdated: '2026-11-02T00:00:00Z', source: 'x', author: { reference: 'Practitioner/1' }, tag: [{ code: 't' }] };
    const generated = taskToWrite(asRead(mapped, { meta, text: { status: 'generated', div: '<div>old</div>' } }), mapped, systems);
    expect(generated).not.toHaveProperty('text');
    expect(generated.meta).toStrictEqual({ tag: [{ code: 't' }] });
    const additional = { status: 'additional', div: '<div xmlns="http://www.w3.org/1999/xhtml">Kept</div>' };
    expect(taskToWrite(asRead(mapped, { text: additional }), mapped, systems).text).toStrictEqual(additional);
  });
});

describe('contentDigest covers the mapped fields only', () => {
  it("ignores another system's identifier and extension, a note and `for`; not a change to the tracker's identifier", () => {
    const task = taskOf(source(), systems);
    const digest = contentDigest(task, systems);
    const withEhr = {
      ...task,
      identifier: [{ system: 'https://ehr.example.org/ids', value: 'E-1' }, ...task.identifier],
      extension: [...task.extension, { url: 'https://ehr.example.org/ext', valueString: 'x' }],
      note: [{ text: 'n' }],
      for: { reference: 'Patient/1' },
    };
    expect(contentDigest(withEhr, systems)).toBe(digest);
    expect(contentDigest({ ...task, identifier: [{ system: systems.task, value: 'txn-2' }] }, systems)).not.toBe(digest);
    expect(contentDigest({ ...task, description: 'Something else.' }, systems)).not.toBe(digest);
  });

  it('a Task of the first mapping (codes without words) still reads as the tracker’s own content', () => {
    const task = taskOf(source({ attention: 'no_redraw' }), systems) as unknown as Entry;
    const codesOnly = JSON.parse(JSON.stringify(task, (key, value: unknown) => (key === 'display' || key === 'description' || key === 'text' ? undefined : value))) as Entry;
    const urls = extensionUrls(systems);
    codesOnly.extension = entries(codesOnly.extension).map((one) => (one.url === urls.digest ? { ...one, valueString: contentDigest(codesOnly, systems) } : one));
    expect(readTask({ ...codesOnly, id: 'srv-1' }, systems)?.trackersContent).toBe(true);
    expect(contentDigest(codesOnly, systems)).not.toBe(contentDigest(task, systems));
  });
});
