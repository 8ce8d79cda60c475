/**
 * What the booking panel reads (CONTRACT §14): the PSCs near the redraw order,
 * then the open times of the first five that book here, first from Junction's
 * cache (`stale=true`: drawn at once, not bookable) and fresh beside it; later
 * days of one site on demand; one site afresh after a refusal or before
 * booking a slot of the cache. Kept in the page only, never stored.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { asBookingSites, asSiteSlots, dayAfter, slotsPath, withLaterDays, type BookingSites, type SiteSlots, type SlotDay } from '../lib/booking-reads';
import { errorWords, type Loaded } from '../lib/load';

/** One site's open times as read so far. */
export interface SiteTimes {
  zone: string | null;
  days: SlotDay[];
  /** A fresh read is in: its slots can be booked. */
  fresh: boolean;
  /** Nothing later to read. */
  done: boolean;
  reading: boolean;
  failed: string | null;
}

export interface BookingReads {
  sites: Loaded<BookingSites>;
  times: Readonly<Record<string, SiteTimes>>;
  /** The sites within `radius` miles, read again. */
  readSites(radius: number): void;
  /** The days after those read of one site. */
  readLater(code: string): void;
  /** One site's times read fresh (the read under way, if any, unless `again`); null when they could not be read. */
  fresh(code: string, again?: boolean): Promise<SiteTimes | null>;
}

const EMPTY: SiteTimes = { zone: null, days: [], fresh: false, done: false, reading: true, failed: null };
/** How far ahead a slots read may start (§14: 90 days). */
const LAST_START_MS = 89 * 86_400_000;

export function useBookingReads(api: Api, followUpId: string): BookingReads {
  const [sites, setSites] = useState<Loaded<BookingSites>>({ kind: 'loading' });
  const [radius, setRadius] = useState(25);
  // The times as last changed, read at once by `fresh` after its read; the state draws them.
  const held = useRef<Record<string, SiteTimes>>({});
  const [times, setTimes] = useState<Record<string, SiteTimes>>({});
  const underway = useRef(new Map<string, Promise<void>>());
  const live = useRef(true);
  useEffect(() => () => void (live.current = false), []);
  const patch = (code: string, change: (was: SiteTimes) => SiteTimes) => {
    held.current = { ...held.current, [code]: change(held.current[code] ?? EMPTY) };
    if (live.current) setTimes(held.current);
  };
  const apply = (answer: SiteSlots[], fresh: boolean) => {
    for (const site of answer) patch(site.site_code, (was) => (was.fresh && !fresh ? was : { ...was, zone: site.iana_timezone, days: site.days, fresh, reading: !fresh && was.reading, failed: null }));
  };

  /** A fresh read of `codes`; a caller of `fresh` meanwhile waits for it rather than asking again. */
  const readFresh = (codes: readonly string[]): Promise<void> => {
    for (const code of codes) patch(code, (was) => ({ ...was, reading: true }));
    const read = api.get(slotsPath(followUpId, codes)).then(
      (body) => apply(asSiteSlots(body), true),
      (error: unknown) => {
        for (const code of codes) patch(code, (was) => ({ ...was, reading: false, failed: errorWords(error) }));
      },
    );
    const done = read.finally(() => codes.forEach((code) => underway.current.get(code) === done && underway.current.delete(code)));
    for (const code of codes) underway.current.set(code, done);
    return done;
  };

  useEffect(() => {
    setSites({ kind: 'loading' });
    let current = true;
    api.get(`/follow-ups/${encodeURIComponent(followUpId)}/booking/sites?radius=${radius}`).then(
      (body) => {
        if (!current || !live.current) return;
        const answer = asBookingSites(body);
        setSites({ kind: 'ok', value: answer });
        const codes = answer.sites.filter((site) => site.book === 'here' && held.current[site.site_code] === undefined).map((site) => site.site_code).slice(0, 5);
        if (codes.length === 0) return;
        // The cache first, drawn at once; the fresh read replaces it whenever it comes.
        api.get(slotsPath(followUpId, codes, { stale: true })).then((stale) => apply(asSiteSlots(stale), false), () => undefined);
        void readFresh(codes);
      },
      (error: unknown) => {
        if (current && live.current) setSites({ kind: 'error', message: errorWords(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, followUpId, radius]);

  const readLater = (code: string) => {
    const was = held.current[code];
    const last = was?.days.at(-1)?.date;
    if (was === undefined || was.reading || was.done || last === undefined) return;
    const startDate = dayAfter(last);
    if (Date.parse(startDate) > Date.now() + LAST_START_MS) return patch(code, (site) => ({ ...site, done: true }));
    patch(code, (site) => ({ ...site, reading: true }));
    api.get(slotsPath(followUpId, [code], { startDate })).then(
      (body) => {
        const later = asSiteSlots(body).find((site) => site.site_code === code)?.days ?? [];
        patch(code, (site) => ({ ...site, days: withLaterDays(site.days, later), reading: false, done: later.length === 0, failed: null }));
      },
      (error: unknown) => patch(code, (site) => ({ ...site, reading: false, failed: errorWords(error) })),
    );
  };

  const fresh = async (code: string, again = false): Promise<SiteTimes | null> => {
    const under = again ? undefined : underway.current.get(code);
    await (under ?? readFresh([code]));
    const site = held.current[code];
    return site?.fresh === true && site.failed === null ? site : null;
  };

  return { sites, times, readSites: setRadius, readLater, fresh };
}
