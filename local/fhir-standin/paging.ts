/**
 * The stand-in FHIR server's paged Task search (CONTRACT §13: it "pages its
 * searches by `_lastUpdated` as Medplum's server does, and by `_offset` behind
 * a switch"). The engine (@medplum/fhir-router's MemoryRepository) filters and
 * sorts but gives no links; here a page is cut from its matches and linked as
 * Medplum's server links it (packages/server/src/fhir/search.ts, read in
 * medplum/medplum):
 *
 * - `_count` defaults to 20 and is capped at 1,000 (and at `maxCount`, a cap a
 *   test may lower: a server may answer fewer than asked); one more match than
 *   the page tells whether there is a next page.
 * - `by: 'lastUpdated'` (Medplum): a search sorted by `_lastUpdated` ascending
 *   alone, from offset 0 and asking for at least 20, is linked by a cursor:
 *   `next` carries `_cursor=2-<ms of the next match's lastUpdated>-<ids on this
 *   page at that instant>`, read back as `lastUpdated >= instant` without those
 *   ids. A page whose first Task has the same lastUpdated as the next match
 *   cannot make progress: answered 500, as Medplum does. Any other search is
 *   linked by `_offset`.
 * - `by: 'offset'` (HAPI, many others): every `next` is `_offset=<offset+count>`.
 *
 * Links are absolute, under the stand-in's FHIR base URL, with the request's
 * own parameters kept.
 */
import { parseSearchRequest, type WithId } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleLink, Task } from '@medplum/fhirtypes';

export interface FhirStandinPaging {
  /** How `next` links page: Medplum's cursor on `_lastUpdated` (default), or `_offset` always. */
  by: 'lastUpdated' | 'offset';
  /** The most Tasks a page holds, whatever `_count` asks (default 1,000, Medplum's). */
  maxCount: number;
}

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
/** Medplum links by cursor only for pages of at least this many. */
const CURSOR_MIN_COUNT = 20;

export function pagingOf(paging: Partial<FhirStandinPaging> = {}): FhirStandinPaging {
  return { by: paging.by ?? 'lastUpdated', maxCount: Math.max(1, Math.min(MAX_COUNT, paging.maxCount ?? MAX_COUNT)) };
}

/** An answer of the paged search: its status and body (the caller sends it as the stand-in's other answers). */
export interface PagedAnswer {
  status: number;
  body: unknown;
}

/** Answers `GET [base]/Task?...` (`url`: as requested) from `repo`'s Tasks, paged as `paging` says. */
export async function pagedSearch(repo: MemoryRepository, url: URL, baseUrl: string, paging: FhirStandinPaging): Promise<PagedAnswer> {
  const request = parseSearchRequest<Task>('Task', Object.fromEntries(url.searchParams));
  const count = Math.min(request.count ?? DEFAULT_COUNT, paging.maxCount);
  const offset = request.offset ?? 0;
  const cursor = request.cursor === undefined ? null : parseCursor(request.cursor);
  if (offset > 0 && cursor !== null) return problem(400, 'invalid', 'Cannot use both offset and cursor');
  const all = await repo.search<Task>({ ...request, count: undefined, offset: undefined, cursor: undefined });
  const matches = (all.entry ?? []).map((entry) => entry.resource!).filter((task) => cursor === null || (millis(task) >= cursor.from && !cursor.excluded.has(task.id)));
  const page = matches.slice(offset, offset + count + 1);
  const next = page.length > count ? page.pop()! : null;
  const link: BundleLink[] = [{ relation: 'self', url: url.href }];
  if (count > 0 && page.length > 0) {
    const sortedByLastUpdated = request.sortRules?.length === 1 && request.sortRules[0]!.code === '_lastUpdated' && !request.sortRules[0]!.descending;
    if (paging.by === 'lastUpdated' && offset === 0 && (request.count ?? DEFAULT_COUNT) >= CURSOR_MIN_COUNT && sortedByLastUpdated) {
      if (next !== null && lastUpdated(page[0]!) === lastUpdated(next)) return problem(500, 'exception', 'Cursor fails to make progress');
      if (next !== null) link.push({ relation: 'next', url: linkUrl(url, baseUrl, { _cursor: cursorOf(next, page), _offset: null }) });
    } else if (next !== null) {
      link.push({ relation: 'next', url: linkUrl(url, baseUrl, { _offset: String(offset + count), _cursor: null }) });
    }
  }
  const bundle: Bundle<WithId<Task>> = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link,
    // No `entry` when nothing matches, as the engine answers.
    entry: page.length === 0 ? undefined : page.map((resource) => ({ fullUrl: `${baseUrl}/Task/${resource.id}`, search: { mode: 'match' }, resource })),
  };
  return { status: 200, body: bundle };
}

const lastUpdated = (task: Task): string | undefined => task.meta?.lastUpdated;
const millis = (task: Task): number => Date.parse(task.meta?.lastUpdated ?? '');

/** Medplum's version 2 cursor: `2-<ms>` and, when some on this page share the next one's instant, `-<their ids>`. */
function cursorOf(next: Task, page: readonly Task[]): string {
  const excluded = page.filter((task) => lastUpdated(task) === lastUpdated(next)).map((task) => task.id!);
  return `2-${millis(next)}${excluded.length > 0 ? `-${excluded.join(',')}` : ''}`;
}

function parseCursor(cursor: string): { from: number; excluded: Set<string> } | null {
  const match = /^2-(\d+)(?:-(.+))?$/s.exec(cursor);
  return match === null ? null : { from: Number(match[1]), excluded: new Set(match[2]?.split(',') ?? []) };
}

/** The request's own URL under the base, with `changes` set (null: removed). */
function linkUrl(url: URL, baseUrl: string, changes: Record<string, string | null>): string {
  const params = new URLSearchParams(url.searchParams);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  return `${baseUrl}/Task?${params.toString()}`;
}

function problem(status: number, code: 'invalid' | 'exception', diagnostics: string): PagedAnswer {
  return { status, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] } };
}
