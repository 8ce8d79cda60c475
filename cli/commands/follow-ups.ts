/**
 * `follow-ups`: the worklist (GET /follow-ups?state&owner, CONTRACT §9), most
 * urgent first, one page or (--all) every page following `next_cursor`.
 * `--mine` is the owner named by REDRAW_TRACKER_OWNER, else on AWS the caller's ARN.
 * `--csv`: every page, in the columns of the console's worklist CSV
 * (console/src/lib/worklist-csv.ts, functions/core/csv.ts), its times' twins
 * in the CLI's zone (TZ, else this machine's) as the console's are in the
 * browser's; no byte-order mark on stdout, where it would break a pipe.
 */
import { csvOf } from '../../functions/core/csv';
import { asFollowUp, type FollowUp } from '../../console/src/lib/types';
import { worklistTable } from '../../console/src/lib/worklist-csv';
import { FOLLOW_UP_STATES } from '../../functions/core/follow-up/states';
import { stringOption, type CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import { myOwner, OWNER_VARIABLE } from '../follow-up-actions';
import { followUpTable } from '../follow-up-views';
import { FollowUpPage, type FollowUpView } from '../../views/answers';
import { cliZone, shellWord } from '../format';
import { readOnWords, readPages } from '../views';

/** The API's bounds for `limit` (CONTRACT §9). */
const MAX_LIMIT = 100;
const STATES = ['open', ...FOLLOW_UP_STATES] as const;

const command: CommandModule = {
  help: `Usage: npx redraw-tracker follow-ups [list] [--state S] [--owner O | --mine] [--ehr] [--limit N] [--all | --cursor C] [--json | --csv]

Lists follow-ups (GET /follow-ups): every redraw is someone's until it is closed.
\`follow-ups list\` is the same command (CONTRACT §12's name for it).
Open ones come most urgent first (due soonest first); closed ones newest first.
Columns: the follow-up id (its transaction's id), owner, state, when the sweep
flags it if nothing moves (DUE: "in 2d 3h", "overdue 5h", "-" for none), whole
days open, contact attempts, and the stale reason of its redraw order, if flagged.
EHR work that needs a person shows beside the state: "(EHR: Refused by the EHR)".

  --state S       ${STATES.join(', ')} (default open: new, acknowledged or snoozed)
  --owner O       only those owned by O
  --mine          only yours: the owner in ${OWNER_VARIABLE}, else on AWS
                  your own identity's ARN (STS GetCallerIdentity)
  --ehr           only those whose EHR work needs a person (the console's
                  "EHR needs you"): refused by the EHR, changed or deleted there,
                  or changed in both places, until someone acts on it here
  --limit N       page size, 1-${MAX_LIMIT} (the API's default is 50)
  --all           follow next_cursor to the last page and show everything
  --cursor C      start at this cursor (printed under a page that has more)
  --csv           every page (as --all) as CSV, the columns of the console's
                  worklist download, data for a spreadsheet: follow_up_id,
                  transaction_id, order_id, order_kind, then state, attention,
                  ehr_attention, stale_reason, stale_since, due, snoozed_until,
                  snooze_reason (with --state closed: disposition, closed_by,
                  closed), then
                  owner, contact_attempts, opened, acknowledged; codes as the
                  API gives them, an empty cell for none, each time twice as
                  YYYY-MM-DD HH:MM: <name>_utc and <name>_local_<zone> in TZ's
                  zone (else this machine's). RFC 4180, UTF-8 without a
                  byte-order mark, CRLF, a header row; a cell starting with
                  = + - @, a tab or a carriage return gets a ' before it, so a
                  spreadsheet never runs it.

With --json: the API's page {"items": [...], "next_cursor": ...}; with --all, every
item in one document and "next_cursor": null.

Examples:
  npx redraw-tracker follow-ups
  ${OWNER_VARIABLE}=alice npx redraw-tracker follow-ups --mine --all
  npx redraw-tracker follow-ups --state closed --limit 10 --json
  npx redraw-tracker follow-ups --owner alice --csv > alice.csv
  npx redraw-tracker follow-ups --mine --stack RedrawTracker --region eu-west-1`,
  options: {
    state: { type: 'string' },
    owner: { type: 'string' },
    mine: { type: 'boolean' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    cursor: { type: 'string' },
    csv: { type: 'boolean' },
    ehr: { type: 'boolean' },
  },
  positionals: { min: 0, max: 1, name: 'list' },
  target: 'tracker',
  async run(context) {
    const { values, json, out, deps, tracker, targetFlags, positionals } = context;
    if (positionals.length > 0 && positionals[0] !== 'list') throw usageError(`follow-ups: unexpected argument ${JSON.stringify(positionals[0])}: the only one is list`);
    const state = stringOption(values, 'state') ?? 'open';
    if (!(STATES as readonly string[]).includes(state)) throw usageError(`follow-ups: --state must be one of ${STATES.join(', ')}, not ${JSON.stringify(state)}`);
    const limitText = stringOption(values, 'limit');
    if (limitText !== undefined && !(/^\d+$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_LIMIT)) {
      throw usageError(`follow-ups: --limit must be a whole number from 1 to ${MAX_LIMIT}, not ${JSON.stringify(limitText)}`);
    }
    const csv = values.csv === true;
    const all = values.all === true || csv;
    const cursor = stringOption(values, 'cursor');
    if (csv && json) throw usageError('follow-ups: --csv and --json ask for different outputs: use one');
    if (csv && cursor !== undefined) throw usageError('follow-ups: --csv reads the whole list from its first page: leave out --cursor');
    if (all && cursor !== undefined) throw usageError('follow-ups: use --all or --cursor, not both');
    const mine = values.mine === true;
    const ownerOption = stringOption(values, 'owner');
    if (mine && ownerOption !== undefined) throw usageError('follow-ups: use --owner or --mine, not both');

    const ehr = values.ehr === true;
    const client = await tracker();
    const owner = mine ? await myOwner(context, client) : ownerOption;
    const { items, pages, page, emptyPages } = await readPages<FollowUpView, FollowUpPage>(
      client,
      '/follow-ups',
      { state, ...(owner !== undefined ? { owner } : {}), ...(ehr ? { ehr: 'needs_you' } : {}), ...(limitText ? { limit: limitText } : {}) },
      FollowUpPage,
      { all, cursor },
    );

    if (json) {
      out.json(all ? { items, next_cursor: null } : page);
      return EXIT.ok;
    }
    if (csv) {
      // Read as the console reads a page (lib/types.ts asFollowUp), so both files come from the same fields.
      const rows = items.map(asFollowUp).filter((item): item is FollowUp => item !== null);
      const table = worklistTable('follow-ups', rows, state === 'closed', cliZone(deps.env));
      out.text(csvOf(table.header, table.rows));
      return EXIT.ok;
    }
    const what = `${state === 'open' ? 'Open follow-ups' : `Follow-ups in state ${state}`}${owner !== undefined ? ` of ${owner}` : ''}${ehr ? ' whose EHR work needs a person' : ''}`;
    const counted = all ? `${items.length} in ${pages} page${pages === 1 ? '' : 's'}` : `${items.length}${page.next_cursor ? ' on this page' : ''}`;
    if (items.length === 0) {
      const lower = `${what.charAt(0).toLowerCase()}${what.slice(1)}`;
      out.line(page.next_cursor ? `No ${lower} in the ${pages} pages read on ${client.target.label}; the list goes on.` : `No ${lower} on ${client.target.label}.`);
    } else {
      out.line(`${out.style('bold', what)} on ${client.target.label}: ${counted}`);
      for (const line of followUpTable(items, deps.now(), out)) out.line(line);
      out.line();
      out.line(`Show one: npx redraw-tracker follow-up <id>${targetFlags}`);
    }
    const readOn = readOnWords({ pages, emptyPages, all });
    if (readOn !== null) out.line(out.style('dim', readOn));
    if (!all && page.next_cursor) {
      const filters = `${state !== 'open' ? ` --state ${state}` : ''}${owner !== undefined ? ` --owner ${shellWord(owner)}` : ''}${ehr ? ' --ehr' : ''}${limitText ? ` --limit ${limitText}` : ''}`;
      out.line(`More: npx redraw-tracker follow-ups${filters} --cursor ${page.next_cursor}${targetFlags}  (or --all)`);
    }
    return EXIT.ok;
  },
};

export default command;
