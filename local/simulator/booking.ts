/**
 * The simulator's last word on booking (CONTRACT §14, "Booking the redraw from the
 * follow-up"): how to book one of the redraws it simulated from the CLI, just before
 * its verdict (before the FHIR lines too, when the tracker keeps Tasks: simulator.ts).
 *
 * When the tracker reads Junction's API from the local stand-in (`npm run
 * junction-api`: the simulator was given its URL and key, as `npm start` was, and
 * the tracker asked it before flagging B), the reconciliation story leaves G, a
 * walk-in redraw at Quest whose redraw order Junction holds and that nobody has
 * taken yet. The tracker is asked, as a person's CLI would ask it, whether G's
 * follow-up books here (`GET /follow-ups/{id}`: `booking_options`) and which PSCs
 * near its patient do (`GET /follow-ups/{id}/booking/sites`, through the stand-in's
 * psc/info); the nearest that books here gives two commands:
 *
 *   npx redraw-tracker book <follow-up id> --slots <site code>
 *   npx redraw-tracker book <follow-up id> --slot 1
 *
 * (its slots, numbered; then the first of them booked). When it cannot be booked,
 * one line says why, in the tracker's words. Without the stand-in, one line says how
 * to start it, with `--webhooks-to` this tracker's webhook route, so that the
 * stand-in posts the appointment webhooks back (its booking's cancel then wakes the
 * follow-up). Nothing printed carries PHI: the follow-up id and the site's code (an
 * operational code, CONTRACT §14), never a site's address, distance or phone.
 */
import * as z from 'zod';

/** A redraw the simulator left open at Junction, by its label in the story and its follow-up's id (the transaction's). */
export interface BookableRedraw {
  label: string;
  followUpId: string;
}

const FollowUpBooking = z.object({
  follow_up: z.object({ id: z.string(), state: z.string(), owner: z.string().nullable().optional() }).loose(),
  booking_options: z.object({ book: z.string(), why: z.string().nullable() }).optional(),
});
const Sites = z.object({ sites: z.array(z.object({ site_code: z.string(), book: z.string() }).loose()) }).loose();
const Refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The tracker's answer to a GET: its status and JSON (null when it is none). */
async function get(base: string, path: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`).catch(() => null);
  if (response === null) return { status: 0, json: null };
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** What a refused GET says: the tracker's message, else its status. */
function refusalText(answer: { status: number; json: unknown }): string {
  const refusal = Refusal.safeParse(answer.json);
  if (refusal.success) return `${refusal.data.error.code}: ${refusal.data.error.message}`;
  return answer.status === 0 ? 'the tracker did not answer' : `the tracker answered ${answer.status}`;
}

/** The two commands that book `followUpId` at `siteCode`: its slots numbered, then the first booked. */
export function bookCommands(followUpId: string, siteCode: string): [string, string] {
  return [`npx redraw-tracker book ${followUpId} --slots ${siteCode}`, `npx redraw-tracker book ${followUpId} --slot 1`];
}

/** How to see booking, without the stand-in: one line (its `--webhooks-to` this tracker's webhook route). */
export function bookingHint(base: string): string {
  return (
    'To book one of these redraws from the CLI (CONTRACT §14): start ' +
    `\`npm run junction-api -- --webhooks-to ${base}/webhooks/junction\` (with the JUNCTION_WEBHOOK_SECRET npm start verifies), ` +
    'then `npm start` and `npm run simulate`, both with the JUNCTION_API_BASE_URL and JUNCTION_API_KEY it prints: ' +
    'the simulation then ends with the two commands that book one.'
  );
}

/**
 * The lines that close the simulation on booking, for the first of `candidates`
 * the tracker books here: an introduction and the two commands. When none can be
 * booked, one line that says why (the first candidate's reason).
 */
export async function bookingLines(base: string, candidates: readonly BookableRedraw[]): Promise<string[]> {
  let why: string | null = null;
  for (const candidate of candidates) {
    const id = encodeURIComponent(candidate.followUpId);
    const answer = await get(base, `/follow-ups/${id}`);
    const read = FollowUpBooking.safeParse(answer.json);
    let reason: string | null = null;
    if (answer.status !== 200 || !read.success) reason = refusalText(answer);
    else if (read.data.booking_options?.book !== 'here') {
      const options = read.data.booking_options;
      reason = options === undefined ? 'the tracker answers no booking_options' : `booking_options.book is ${options.book}${options.why === null ? '' : `: ${options.why}`}`;
    } else {
      const sites = await get(base, `/follow-ups/${id}/booking/sites`);
      const listed = Sites.safeParse(sites.json);
      const site = sites.status === 200 && listed.success ? listed.data.sites.find((candidateSite) => candidateSite.book === 'here') : undefined;
      if (site !== undefined) {
        const owner = read.data.follow_up.owner ?? null;
        return [
          `Book ${candidate.label}'s redraw from the CLI (CONTRACT §14; follow-up ${read.data.follow_up.id}, ${read.data.follow_up.state}, ${owner === null ? 'nobody owns it' : `owned by ${owner}`}): ` +
            `the slots of ${site.site_code}, its nearest PSC that books here, then the first of them booked:`,
          ...bookCommands(read.data.follow_up.id, site.site_code),
        ];
      }
      reason = sites.status === 200 && listed.success ? 'no PSC near its patient books here (GET .../booking/sites?radius=25)' : refusalText(sites);
    }
    why ??= `${candidate.label}'s redraw (follow-up ${candidate.followUpId}) cannot be booked from the CLI: ${reason}`;
  }
  return [why ?? 'No redraw of this run can be booked from the CLI (CONTRACT §14): none is left open at Junction.'];
}
