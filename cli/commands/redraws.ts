/**
 * `redraws`: GET /redraws?state=open|stale, one page or (--all) every page,
 * following `next_cursor`.
 */
import { stringOption, type CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import { orderTable, readPages } from '../views';
import { RedrawPage, type OrderView } from '../../views/answers';

/** The API's bounds for `limit` (CONTRACT §2), checked here so a typo is a usage error, not a round trip. */
const MAX_LIMIT = 100;

const command: CommandModule = {
  help: `Usage: npx redraw-tracker redraws [--stale] [--limit N] [--all | --cursor C] [--json]

Lists the redraws that still need action (GET /redraws?state=open): redraw orders
not yet in an ending state, and initial orders in redraw_available whose redraw
order is not known. --stale lists only those the sweep flagged (state=stale).

  --stale         only the flagged (stale) redraws
  --limit N       page size, 1-${MAX_LIMIT} (the API's default is 50)
  --all           follow next_cursor to the last page and show everything
  --cursor C      start at this cursor (printed under a page that has more)

With --json: the API's page {"items": [...], "next_cursor": ...}; with --all, every
item in one document and "next_cursor": null.

Examples:
  npx redraw-tracker redraws
  npx redraw-tracker redraws --stale --all
  npx redraw-tracker redraws --stale --limit 10 --json
  npx redraw-tracker redraws --stale --stack RedrawTracker --region eu-west-1`,
  options: {
    stale: { type: 'boolean' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    cursor: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  target: 'tracker',
  async run({ values, json, out, deps, tracker, targetFlags }) {
    const state = values.stale === true ? 'stale' : 'open';
    const limitText = stringOption(values, 'limit');
    if (limitText !== undefined && !(/^\d+$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_LIMIT)) {
      throw usageError(`redraws: --limit must be a whole number from 1 to ${MAX_LIMIT}, not ${JSON.stringify(limitText)}`);
    }
    const all = values.all === true;
    const cursor = stringOption(values, 'cursor');
    if (all && cursor !== undefined) throw usageError('redraws: use --all or --cursor, not both');

    const client = await tracker();
    // Loose schemas: the items keep any field the API adds, for --json.
    const { items, pages, page } = await readPages<OrderView, RedrawPage>(client, '/redraws', { state, ...(limitText ? { limit: limitText } : {}) }, RedrawPage, { all, cursor });

    if (json) {
      out.json(all ? { items, next_cursor: null } : page);
      return EXIT.ok;
    }
    const now = deps.now();
    const what = state === 'stale' ? 'Stale redraws' : 'Open redraws';
    const counted = all ? `${items.length} in ${pages} page${pages === 1 ? '' : 's'}` : `${items.length}${page.next_cursor ? ' on this page' : ''}`;
    if (items.length === 0) {
      out.line(`No ${what.toLowerCase()} on ${client.target.label}.`);
    } else {
      out.line(`${out.style('bold', what)} on ${client.target.label}: ${counted}`);
      for (const line of orderTable(items, now, out, 'redraws')) out.line(line);
      out.line();
      out.line(`Show one: npx redraw-tracker order <order id>${targetFlags}`);
    }
    if (!all && page.next_cursor) {
      out.line(`More: npx redraw-tracker redraws${state === 'stale' ? ' --stale' : ''}${limitText ? ` --limit ${limitText}` : ''} --cursor ${page.next_cursor}${targetFlags}  (or --all)`);
    }
    return EXIT.ok;
  },
};

export default command;
