/**
 * `events`: the events the local tracker published (GET /local/events, CONTRACT
 * §7), oldest first; `--follow` keeps printing new ones. On AWS the events go to
 * the stack's EventBridge bus (docs/events.md says how to route them).
 */
import * as z from 'zod';
import { EVENT_TYPES } from '../../functions/core/events';
import { stringOption, type CommandModule } from '../command';
import { EXIT } from '../errors';
import { readAnswer } from '../views';

const EventsAnswer = z.object({
  items: z.array(z.object({ id: z.string(), type: z.string(), order_id: z.string().nullable(), transaction_id: z.string().nullable(), status_time: z.string() }).loose()),
});
type ListedEvent = z.infer<typeof EventsAnswer>['items'][number];

/** One line per event: time, type, ids, and the type's own fields. */
export function eventLine(event: ListedEvent): string {
  const { id, type, order_id, transaction_id, status_time, ...own } = event;
  const ids = [order_id === null ? null : `order ${order_id}`, transaction_id === null ? null : `transaction ${transaction_id}`].filter((part) => part !== null).join(' ');
  const fields = Object.entries(own).map(([name, value]) => `${name}=${value === null ? 'null' : String(value)}`).join(' ');
  return `${status_time}  ${type.padEnd(27)} ${ids}${fields ? `  ${fields}` : ''}  (id ${id.slice(0, 12)})`;
}

const command: CommandModule = {
  help: `Usage: npx redraw-tracker events [--type T] [--follow] [--json]

Lists the events the local tracker published for other systems (GET /local/events),
oldest first: ${EVENT_TYPES.join(', ')}.
--type keeps one type; --follow keeps printing new events until Ctrl-C.
Local only: on AWS the events go to the stack's event bus (output EventBusName).

Examples:
  npx redraw-tracker events
  npx redraw-tracker events --type redraw.stale --follow
  npx redraw-tracker events --json`,
  options: { type: { type: 'string' }, follow: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, json, out, tracker }) {
    const type = stringOption(values, 'type');
    const client = await tracker();
    const read = async () => readAnswer(EventsAnswer, await client.get('/local/events', type === undefined ? {} : { type }), 'GET /local/events').items;
    const shown = new Set<string>();
    const show = (events: ListedEvent[]) => {
      for (const event of events) {
        if (shown.has(event.id)) continue;
        shown.add(event.id);
        if (json) out.json(event);
        else out.line(eventLine(event));
      }
    };
    const first = await read();
    if (json && values.follow !== true) {
      out.json({ items: first });
      return EXIT.ok;
    }
    show(first);
    if (values.follow !== true) {
      if (first.length === 0) out.line('No events yet: send webhooks (npm run simulate) and try again.');
      return EXIT.ok;
    }
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      show(await read());
    }
  },
};

export default command;
