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
  { name: 'events', summary: 'list the events the local tracker published (--type T, --follow)', load: async () => (await import('./commands/events')).default },
  { name: 'sweep', summary: 'run the stale-redraw sweep now (local tracker)', load: async () => (await import('./commands/sweep')).default },
  { name: 'backfill', summary: "backfill the local tracker from Junction's API for a window of dates", load: async () => (await import('./commands/backfill')).default },
  { name: 'quarantine', summary: 'list quarantined webhooks, or replay them with the current code', load: async () => (await import('./commands/quarantine')).default },
  { name: 'stream-work', summary: 'list stream work parked after an hour of failures, or ask for it to be redone now (--redo)', load: async () => (await import('./commands/stream-work')).default },
  { name: 'sign-webhook', summary: 'print Svix signature headers for a webhook body file, for curl', load: async () => (await import('./commands/sign-webhook')).default },
  { name: 'simulate', summary: 'send a realistic redraw flow to the local tracker and show its view', load: async () => (await import('./commands/simulate')).default },
];
