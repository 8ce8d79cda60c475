/**
 * Alerts and the weekly digest link to the console (CONTRACT §12): an alert to
 * its follow-up's page, the digest to the worklist of what needs attention, so
 * a person acts in one click. The link is the console's base (CONSOLE_URL,
 * parsed once at start by the sweep's and the digest's config; npm start's own
 * URL locally) and a hash route the console itself parses; without a base, or
 * without a follow-up, there is no link, in any format.
 */
import { describe, expect, it } from 'vitest';
import { parseRoute, followUpHref } from '../../console/src/lib/route';
import { parseWorklistState } from '../../console/src/lib/url-state';
import { consoleAttentionLink, consoleFollowUpLink, isConsoleBase } from '../../functions/core/console-link';
import { digestWeek, weeklyDigest } from '../../functions/core/digest';
import { digestChat, digestEmail, digestSnsMessage } from '../../functions/core/digest-render';
import type { RedrawReport } from '../../functions/core/report';
import { ConfigError } from '../../functions/shared/config';
import { sweepConfig } from '../../functions/stale-redraw-sweep/config';
import { alertSettingsOf } from '../../functions/notices/config';
import { sentNotification, type StaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText, snsMessage } from '../../functions/notices/formats';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { digestConfig } from '../../functions/weekly-digest/config';
import { parseLocalSettings } from '../../local/config';
import { quietReport } from '../support/redraw-report';

const BASE = 'https://d111111abcdef8.cloudfront.net/';
const ORDER = '0b1e7d4c-8a52-4f0e-9c11-00000000e001';
const TRANSACTION = '0b1e7d4c-8a52-4f0e-9c11-00000000a001';
const SENT_AT = new Date('2026-11-20T10:00:03.000Z');

const stuck: StaleRedrawNotification = {
  order_id: ORDER,
  transaction_id: TRANSACTION,
  reason: 'redraw_not_created',
  status: 'collecting_sample',
  low_level_status: 'redraw_available',
  days_waiting: 3,
  since: '2026-11-20T10:00:02.000000Z',
  status_time: '2026-11-17T09:00:00.000000Z',
  follow_up: { id: TRANSACTION, state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-11-17T09:00:00.000000Z', version: 1 },
};

describe('the link to a follow-up', () => {
  it('is the base and the console\'s own hash route of the follow-up', () => {
    expect(consoleFollowUpLink(BASE, TRANSACTION)).toBe(`${BASE}#/follow-ups/${TRANSACTION}`);
    expect(consoleFollowUpLink('http://127.0.0.1:3456/', TRANSACTION)).toBe(`http://127.0.0.1:3456/#/follow-ups/${TRANSACTION}`);
    // The very hash the console's own links use.
    expect(consoleFollowUpLink(BASE, TRANSACTION)).toBe(`${BASE}${followUpHref(TRANSACTION)}`);
  });

  it.each(['a/b', 'a#b', 'a?b=c&d', 'a b', 'a%2Fb', 'ü|<x>'])('encodes the id %j, which the console reads as no such follow-up (only a whole or a short id is one)', (id) => {
    const link = consoleFollowUpLink(BASE, id)!;
    const hash = link.slice(BASE.length);
    expect(hash).toBe(`#/follow-ups/${encodeURIComponent(id)}`);
    // Nothing of the id can end the route, start a query or break a chat link's `<url|text>`.
    expect(hash.slice('#/follow-ups/'.length)).not.toMatch(/[/#?&|<> ]/);
    expect(parseRoute(hash)).toEqual({ page: 'not-found', followUp: true, search: new URLSearchParams() });
  });

  it('is null without a base (no console) or without a follow-up', () => {
    expect(consoleFollowUpLink(null, TRANSACTION)).toBeNull();
    expect(consoleFollowUpLink(undefined, TRANSACTION)).toBeNull();
    expect(consoleFollowUpLink('', TRANSACTION)).toBeNull();
    expect(consoleFollowUpLink(BASE, null)).toBeNull();
    expect(consoleFollowUpLink(BASE, undefined)).toBeNull();
  });
});

describe('the link to what needs attention', () => {
  it('is the worklist\'s Needs attention queue, as the console reads it', () => {
    const link = consoleAttentionLink(BASE)!;
    expect(link).toBe(`${BASE}#/worklist?queue=attention`);
    const route = parseRoute(link.slice(BASE.length));
    expect(route.page).toBe('worklist');
    expect(parseWorklistState(route.search)).toEqual({ queue: 'attention' });
  });

  it('is null without a base', () => {
    expect(consoleAttentionLink(null)).toBeNull();
    expect(consoleAttentionLink(undefined)).toBeNull();
  });
});

describe('CONSOLE_URL (the sweep\'s and the digest\'s config)', () => {
  const sweep = { STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:n', TABLE_NAME: 't', SWEEP_TIMEOUT_SECONDS: '300' };
  const digest = { TABLE_NAME: 't', NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:n' };

  it.each([BASE, 'http://127.0.0.1:3000/', 'https://console.example.org/redraws/', 'http://[::1]:3000/'])('takes %s', (value) => {
    expect(isConsoleBase(value)).toBe(true);
    expect(sweepConfig({ ...sweep, CONSOLE_URL: value }).CONSOLE_URL).toBe(value);
    expect(digestConfig({ ...digest, CONSOLE_URL: value }).CONSOLE_URL).toBe(value);
  });

  it('is optional: unset or blank, no links', () => {
    expect(sweepConfig(sweep).CONSOLE_URL).toBeUndefined();
    expect(sweepConfig({ ...sweep, CONSOLE_URL: '  ' }).CONSOLE_URL).toBeUndefined();
    expect(digestConfig(digest).CONSOLE_URL).toBeUndefined();
    expect(alertSettingsOf(sweepConfig(sweep), 'RedrawTracker').consoleUrl).toBeNull();
    expect(alertSettingsOf(sweepConfig({ ...sweep, CONSOLE_URL: BASE }), 'RedrawTracker').consoleUrl).toBe(BASE);
  });

  it.each([
    ['no trailing slash', 'https://d111111abcdef8.cloudfront.net'],
    ['a path without the slash', 'https://d111111abcdef8.cloudfront.net/console'],
    ['relative', '/console/'],
    ['another scheme', 'ftp://d111111abcdef8.cloudfront.net/'],
    ['javascript', 'javascript:alert(1)//'],
    ['a fragment', 'https://d111111abcdef8.cloudfront.net/#/'],
    ['a query', 'https://d111111abcdef8.cloudfront.net/?a=1/'],
    ['credentials', 'https://user:secret@d111111abcdef8.cloudfront.net/'],
    ['a character a chat link cannot carry', 'https://d111111abcdef8.cloudfront.net/a|b/'],
    ['no host', 'https:///'],
    ['not a URL', 'console'],
  ])('fails loudly at start, naming CONSOLE_URL, on %s', (_what, value) => {
    expect(isConsoleBase(value)).toBe(false);
    for (const parse of [() => sweepConfig({ ...sweep, CONSOLE_URL: value }), () => digestConfig({ ...digest, CONSOLE_URL: value })]) {
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(/CONSOLE_URL: must be the console's URL: an absolute http\(s\) URL ending in \//);
    }
  });

  it('is not an npm start setting: npm start links to its own URL', () => {
    expect(parseLocalSettings({ CONSOLE_URL: BASE })).not.toHaveProperty('CONSOLE_URL');
  });
});

describe('an alert with the console', () => {
  const sent = sentNotification(stuck, { deployed: { region: 'us-east-1' }, environment: 'prod', now: SENT_AT, consoleUrl: BASE });
  const link = `${BASE}#/follow-ups/${TRANSACTION}`;

  it('carries console_link in its JSON', () => {
    expect(sent.console_link).toBe(link);
    expect(JSON.parse(JSON.parse(snsMessage(sent)).default)).toMatchObject({ console_link: link });
  });

  it('shows it in the e-mail on a line of its own, right before "Take it", aligned with the commands', () => {
    const lines = emailText(sent).split('\n');
    const at = lines.indexOf(`In the console:  ${link}`);
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^Take it: {9}npx redraw-tracker ack /);
  });

  it('shows it in the chat as a link (Slack\'s <url|text>) among the next steps, before "Take it"', () => {
    const steps = chatNotification(sent, { region: 'us-east-1' }).content.nextSteps;
    const at = steps.indexOf(`In the console: <${link}|open the follow-up>`);
    expect(at).toBeGreaterThan(0);
    expect(steps[at + 1]).toMatch(/^Take it: /);
  });

  it('has no link without a follow-up, in any format', () => {
    const orphan = sentNotification({ ...stuck, follow_up: null }, { now: SENT_AT, consoleUrl: BASE });
    expect(orphan.console_link).toBeNull();
    expect(emailText(orphan)).not.toContain('console');
    expect(JSON.stringify(chatNotification(orphan))).not.toContain(BASE);
  });

  it('has no link without a console, in any format', () => {
    const without = sentNotification(stuck, { now: SENT_AT });
    expect(without.console_link).toBeNull();
    expect(emailText(without)).not.toContain('In the console');
    expect(chatNotification(without).content.nextSteps.join('\n')).not.toContain('In the console');
  });

  it('reads the console\'s base at each alert (npm start knows its port only once it listens)', async () => {
    let base: string | null = null;
    const notifier = createInMemoryNotifier(undefined, {
      environment: 'local',
      timeZone: null,
      get consoleUrl() {
        return base;
      },
    }, () => SENT_AT);
    await notifier.notify(stuck);
    base = 'http://127.0.0.1:3456/';
    await notifier.notify(stuck);
    expect(notifier.notifications.map((item) => item.console_link)).toEqual([null, `http://127.0.0.1:3456/#/follow-ups/${TRANSACTION}`]);
    expect(notifier.rendered[1]!.email).toContain(`In the console:  http://127.0.0.1:3456/#/follow-ups/${TRANSACTION}`);
  });
});

describe('the weekly digest with the console', () => {
  const REPORT: RedrawReport = quietReport({ opened: 2, closed: 1, by_disposition: { redraw_completed: 1 }, closed_by_tracker: 1, open_now: 1, stale_now: 1, unassigned_now: 1, aging_now: { '0_7': 1, '8_14': 0, '15_30': 0, over_30: 0 } });
  const NOW = new Date('2026-11-23T08:00:03Z');
  const build = (consoleUrl?: string | null) => weeklyDigest(digestWeek(NOW), REPORT, [], { environment: 'prod', now: NOW, ...(consoleUrl === undefined ? {} : { consoleUrl }) });
  const link = `${BASE}#/worklist?queue=attention`;

  it('carries the worklist of what needs attention as console_link in its JSON', () => {
    expect(build(BASE).console_link).toBe(link);
    expect(JSON.parse(JSON.parse(digestSnsMessage(build(BASE))).default)).toMatchObject({ console_link: link });
  });

  it('shows it in the e-mail on one line, right after what to do this week', () => {
    const lines = digestEmail(build(BASE)).split('\n');
    const at = lines.indexOf(`What needs attention, in the console: ${link}`);
    expect(lines[at - 1]).toMatch(/^What to do this week: /);
    expect(lines.filter((line) => line.includes(BASE))).toHaveLength(1);
  });

  it('shows it in the chat as a link (Slack\'s <url|text>), first of the next steps', () => {
    expect(digestChat(build(BASE)).content.nextSteps).toEqual([`In the console: <${link}|what needs attention>`, 'The whole list: `npx redraw-tracker follow-ups`']);
  });

  it('has no link without a console, in any format', () => {
    for (const digest of [build(), build(null)]) {
      expect(digest.console_link).toBeNull();
      expect(digestEmail(digest)).not.toContain('console');
      expect(digestChat(digest).content.nextSteps).toEqual(['The whole list: `npx redraw-tracker follow-ups`']);
    }
  });
});
