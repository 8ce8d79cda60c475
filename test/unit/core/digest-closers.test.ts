/**
 * The weekly digest's closes by person (CONTRACT §11 `closes_by_person`, issue
 * 73; core/digest-closers.ts): the top three of last week's report by handle,
 * in the e-mail, the chat notification and the JSON; when the week was not
 * counted, the words say from when the tracker counts.
 */
import { describe, expect, it } from 'vitest';
import { weeklyDigest } from '../../../functions/core/digest';
import { closersWords, topClosers } from '../../../functions/core/digest-closers';
import { digestChat, digestEmail } from '../../../functions/core/digest-render';
import type { RedrawReport } from '../../../functions/core/report';
import { NOW, REPORT, WEEK } from './digest-fixtures';

const WEEK_FROM = REPORT.from;

const PEOPLE = [
  { actor: 'dee.park', closed: 5 },
  { actor: 'ana.ruiz', closed: 2 },
  { actor: 'ben_okafor', closed: 2 },
  { actor: 'eli.haas', closed: 1 },
];

function digestOf(report: Partial<RedrawReport>) {
  return weeklyDigest(WEEK, { ...REPORT, closed: 17, closed_by_people: 10, closed_by_tracker: 7, by_disposition: { redraw_completed: 7, patient_unreachable: 10 }, ...report }, [], {
    environment: 'prod',
    now: NOW,
  });
}

describe('the top closers', () => {
  it('names the three people who closed the most, in the report’s order, in the e-mail, the chat and the JSON', () => {
    const digest = digestOf({ closes_by_person: PEOPLE });
    expect(digest.top_closers).toEqual(PEOPLE.slice(0, 3));
    // The JSON keeps last week's whole count beside them.
    expect(digest.report.closes_by_person).toEqual(PEOPLE);
    expect(digestEmail(digest)).toContain('\nClosed the most: dee.park 5, ana.ruiz 2, ben_okafor 2.\n');
    expect(digestEmail(digest)).not.toContain('eli.haas');
    // Chat: each handle as code, so Slack's markup never reads its `_`.
    expect(digestChat(digest).content.description).toContain('\nClosed the most: `dee.park` 5, `ana.ruiz` 2, `ben_okafor` 2.\n');
  });

  it('names fewer when fewer closed one, and says nothing when nobody did (the summary says people closed 0)', () => {
    expect(topClosers({ closes_by_person: PEOPLE.slice(0, 1) })).toEqual(PEOPLE.slice(0, 1));
    const nobody = digestOf({ closes_by_person: [], closed: 7, closed_by_people: 0, by_disposition: { redraw_completed: 7 } });
    expect(nobody.top_closers).toEqual([]);
    expect(digestEmail(nobody)).not.toContain('Closed the most');
    expect(digestEmail(nobody)).not.toContain('Closes by person');
  });

  it('says from when the tracker counts closes by person for a week it did not count, and names nobody', () => {
    const early = digestOf({ closes_by_person: null, closes_counted_since: '2026-11-18T09:30:00.000000Z' });
    expect(early.top_closers).toBeNull();
    expect(digestEmail(early)).toContain('\nCloses by person are counted from 2026-11-18 09:30 UTC: not for all of last week.\n');
    expect(closersWords(null, { since: null, partial: false, from: WEEK_FROM }, 'UTC', 'email')).toBe('Closes by person are not counted yet: the tracker counts them from its first close after the release that added them.');
    // A report from before issue 73 (no fields at all) reads as not counted.
    const { closes_by_person: _rows, closes_counted_since: _since, ...older } = REPORT;
    expect(weeklyDigest(WEEK, older, [], { environment: 'prod', now: NOW }).top_closers).toBeNull();
  });

  it('names those counted since counting began for a week that starts before it, and says since when', () => {
    const since = '2026-11-18T09:30:00.000000Z';
    const partial = digestOf({ closes_by_person: PEOPLE, closes_counted_since: since, closes_partial: true });
    expect(partial.top_closers).toEqual(PEOPLE.slice(0, 3));
    expect(partial.report.closes_partial).toBe(true);
    expect(digestEmail(partial)).toContain('\nClosed the most since 2026-11-18 09:30 UTC: dee.park 5, ana.ruiz 2, ben_okafor 2.\n');
    expect(digestChat(partial).content.description).toContain('\nClosed the most since 2026-11-18 09:30 UTC: `dee.park` 5, `ana.ruiz` 2, `ben_okafor` 2.\n');
    const nobodySince = digestOf({ closes_by_person: [], closes_counted_since: since, closes_partial: true });
    expect(digestEmail(nobodySince)).toContain('\nCloses by person are counted from 2026-11-18 09:30 UTC: nobody closed one since.\n');
    // Counted all week, but some closes were recorded without who closed them (an older version's rows).
    const unattributed = digestOf({ closes_by_person: PEOPLE, closes_counted_since: '2026-10-01T00:00:00.000000Z', closes_partial: true });
    expect(digestEmail(unattributed)).toContain('Closed the most (of the closes counted by person; some were recorded without who closed them): dee.park 5');
  });
});
