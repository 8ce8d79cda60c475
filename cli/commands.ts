/**
 * The subcommands of `redraw-tracker`, in the order `--help` lists them. Each is
 * one module under cli/commands/ loaded only when it runs (so `sign-webhook`
 * never loads the AWS SDK). A new subcommand is one module and one line here.
 */
import type { CommandModule } from './command';

export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'redraws', summary: 'list open redraws (--stale: only the flagged ones), following cursors with --all', load: async () => (await import('./commands/redraws')).default },
  { name: 'order', summary: 'show one order: statuses, stale flag and what to do about it', load: async () => (await import('./commands/order')).default },
  { name: 'transaction', summary: 'show an order transaction and its member orders', load: async () => (await import('./commands/transaction')).default },
  { name: 'follow-ups', summary: 'list follow-ups, most urgent first (--state S, --owner O or --mine, --all)', load: async () => (await import('./commands/follow-ups')).default },
  { name: 'follow-up', summary: 'show one follow-up (by its id or an order id) and its history', load: async () => (await import('./commands/follow-up')).default },
  { name: 'ack', summary: 'acknowledge a follow-up, taking it if nobody owns it (--owner O gives it to O)', load: async () => (await import('./commands/ack')).default },
  { name: 'assign', summary: 'give a follow-up an owner, or --none', load: async () => (await import('./commands/assign')).default },
  { name: 'snooze', summary: 'snooze a follow-up --until <date> or --for <3d> with a --reason', load: async () => (await import('./commands/snooze')).default },
  { name: 'unsnooze', summary: 'end a follow-up\'s snooze now: it is acknowledged again', load: async () => (await import('./commands/unsnooze')).default },
  { name: 'contact', summary: 'record a contact attempt: --channel C --outcome O', load: async () => (await import('./commands/contact')).default },
  { name: 'close', summary: 'close a follow-up with a --disposition', load: async () => (await import('./commands/close')).default },
  { name: 'reopen', summary: 'reopen a closed follow-up', load: async () => (await import('./commands/reopen')).default },
  { name: 'book', summary: 'book the redraw at a PSC through Junction: the sites near the patient, their slots (--slots SITE), then --slot N', load: async () => (await import('./commands/book')).default },
  { name: 'reschedule-booking', summary: 'move the booking to another slot: the slots numbered, then --slot N (or --key)', load: async () => (await import('./commands/reschedule-booking')).default },
  { name: 'cancel-booking', summary: "cancel the booking (--reason N: one of Junction's reasons, listed without it)", load: async () => (await import('./commands/cancel-booking')).default },
  { name: 'record-booking', summary: 'record a booking made with the lab --at <date-time> [--site CODE]', load: async () => (await import('./commands/record-booking')).default },
  { name: 'report', summary: 'the redraw report for a window: counts, times, aging bars and a weekly chart (--from D --to D | --weeks N)', load: async () => (await import('./commands/report')).default },
  { name: 'events', summary: 'list the events the local tracker published (--type T, --follow)', load: async () => (await import('./commands/events')).default },
  { name: 'notifications', summary: 'print the notifications the local tracker sent (stale-redraw alerts and weekly digests), as e-mail, chat or JSON (--format F)', load: async () => (await import('./commands/notifications')).default },
  { name: 'digest', summary: 'send the weekly digest of the local tracker now and print it, as e-mail, chat or JSON (--format F); --last shows the last one sent', load: async () => (await import('./commands/digest')).default },
  { name: 'sweep', summary: 'run the stale-redraw sweep now (local tracker)', load: async () => (await import('./commands/sweep')).default },
  { name: 'backfill', summary: "backfill the local tracker from Junction's API for a window of dates", load: async () => (await import('./commands/backfill')).default },
  { name: 'quarantine', summary: 'list quarantined webhooks, or replay them with the current code', load: async () => (await import('./commands/quarantine')).default },
  { name: 'stream-work', summary: 'list stream work parked after an hour of failures, or ask for it to be redone now (--redo)', load: async () => (await import('./commands/stream-work')).default },
  { name: 'migrate', summary: 'one-off table steps of a release: follow-up-keys (run once after a deploy that adds or changes the follow-ups\' index keys)', load: async () => (await import('./commands/migrate')).default },
  { name: 'smoke', summary: 'smoke-test a deployment: a signed made-up order through WebhookUrl, read back, each step timed', load: async () => (await import('./commands/smoke')).default },
  { name: 'sign-webhook', summary: 'print Svix signature headers for a webhook body file, for curl', load: async () => (await import('./commands/sign-webhook')).default },
  { name: 'simulate', summary: 'send a realistic redraw flow to the local tracker and show its view', load: async () => (await import('./commands/simulate')).default },
];
