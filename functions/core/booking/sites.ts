/**
 * `GET /follow-ups/{id}/booking/sites` (CONTRACT §14): Junction's PSCs near
 * the order, as the tracker answers them. How a site books is read from its
 * `capabilities` alone, never from the lab's name. Nothing here is stored,
 * logged or published: the sites near a patient say where the patient lives.
 */

/** How a site books: through Junction here, with the lab, or not known. */
export type SiteBooking = 'here' | 'with_lab' | 'unknown';

export interface SiteAnswer {
  site_code: string;
  name: string;
  /** First and second line, city, state and zip as one line. */
  address: string;
  phone: string | null;
  hours: string | null;
  distance_miles: number;
  book: SiteBooking;
}

/** A PSC as Junction's `ClientFacingLabLocation` gives it, as far as the answer needs. */
export interface JunctionSite {
  site_code: string;
  distance: number;
  capabilities: readonly string[];
  metadata: {
    name: string;
    first_line: string;
    second_line?: string | null;
    city: string;
    state: string;
    zip_code: string;
    phone_number?: string | null;
    hours?: Record<string, unknown> | null;
  };
}

export const SITE_RADII = [10, 20, 25, 50, 100] as const;
export const DEFAULT_RADIUS = 25;
const HOURS_CHARS = 200;

export function siteBooking(capabilities: readonly string[]): SiteBooking {
  if (capabilities.includes('appointment_scheduling_via_junction')) return 'here';
  if (capabilities.includes('appointment_scheduling_with_lab')) return 'with_lab';
  return 'unknown';
}

const BOOKING_ORDER: Record<SiteBooking, number> = { here: 0, with_lab: 1, unknown: 2 };

/** The sites nearest first, `here` before the others at the same distance, then by site code (a stable order). */
export function sitesAnswer(sites: readonly JunctionSite[]): SiteAnswer[] {
  return sites
    .map((site) => ({
      site_code: site.site_code,
      name: site.metadata.name,
      address: addressLine(site.metadata),
      phone: blankToNull(site.metadata.phone_number),
      hours: hoursText(site.metadata.hours),
      distance_miles: site.distance,
      book: siteBooking(site.capabilities),
    }))
    .sort((a, b) => a.distance_miles - b.distance_miles || BOOKING_ORDER[a.book] - BOOKING_ORDER[b.book] || (a.site_code < b.site_code ? -1 : a.site_code > b.site_code ? 1 : 0));
}

function addressLine(metadata: JunctionSite['metadata']): string {
  const street = [metadata.first_line, metadata.second_line].map((part) => part?.trim() ?? '').filter((part) => part !== '');
  const place = `${metadata.state} ${metadata.zip_code}`.trim();
  return [...street, metadata.city.trim(), place].filter((part) => part !== '').join(', ');
}

function blankToNull(value: string | null | undefined): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

/**
 * Junction's `hours` object as one line ("key: value; ..."; an array's strings
 * joined by ", "), in Junction's order; null when a value is neither a string
 * nor an array of strings, or the line would pass 200 characters.
 */
export function hoursText(hours: Record<string, unknown> | null | undefined): string | null {
  if (hours === null || hours === undefined) return null;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(hours)) {
    if (typeof value === 'string') parts.push(`${key}: ${value}`);
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) parts.push(`${key}: ${value.join(', ')}`);
    else return null;
  }
  const text = parts.join('; ').replace(/\s+/g, ' ').trim();
  return text === '' || text.length > HOURS_CHARS ? null : text;
}
