/**
 * What the follow-up commands share (CONTRACT §9): who "me" is (`--mine`, the
 * local actor header), finding a follow-up from its own id or an order's, and
 * the one shape of every action command (`ack`, `assign`, `snooze`, `unsnooze`,
 * `contact`, `close`, `reopen`): a body checked with the tracker's own rules
 * before it is sent (core/follow-up/action-body.ts parseAction, so a typo is a
 * usage error, not a round trip), POST /follow-ups/{id}/actions, and the API's
 * 400/404/409 as one line.
 */
import type { ParseArgsConfig } from 'node:util';
import { Owner, parseAction, type ActionName } from '../functions/core/follow-up/action-body';
import { canonicalFromDate, canonicalInstant } from '../functions/core/instant';
import { ResourceId } from '../functions/core/schemas';
import { stringOption, type CommandContext, type CommandModule, type OptionValues } from './command';
import { CliError, EXIT, usageError } from './errors';
import { followUpLines, followUpTitle } from './follow-up-views';
import { FollowUpAnswer, FollowUpDetail, OrderFollowUp, type FollowUpView } from '../views/answers';
import { shellWord } from './format';
import type { Answer, TrackerClient } from './tracker-client';
import { readAnswer } from './views';

/** The environment variable naming the user's owner handle (`--mine`, and the actor of local actions). */
export const OWNER_VARIABLE = 'REDRAW_TRACKER_OWNER';
/** The local tracker's actor header (CONTRACT §9); on AWS the actor is the signed caller. */
export const ACTOR_HEADER = 'x-redraw-actor';

/** REDRAW_TRACKER_OWNER when set (and a valid handle), else undefined. */
export function ownerFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[OWNER_VARIABLE]?.trim();
  if (!value) return undefined;
  if (!Owner.safeParse(value).success) {
    // Not quoted: whatever was typed there is not repeated.
    throw usageError(`${OWNER_VARIABLE} must be an owner handle: a letter or a digit, then letters, digits and ._@:/+=,- (1-2048 characters, no spaces): fix it or unset it`);
  }
  return value;
}

/**
 * Who `--mine` means: REDRAW_TRACKER_OWNER, else on AWS the caller's own ARN
 * (STS GetCallerIdentity, what the tracker records as the actor of the
 * caller's actions). Locally the tracker cannot tell who you are.
 */
export async function myOwner(context: Pick<CommandContext, 'deps' | 'globals'>, client: TrackerClient): Promise<string> {
  const fromEnv = ownerFromEnv(context.deps.env);
  if (fromEnv !== undefined) return fromEnv;
  const { target } = client;
  if (target.kind === 'local' || target.region === undefined) {
    throw usageError(`--mine: set ${OWNER_VARIABLE} to your owner handle (e.g. \`export ${OWNER_VARIABLE}=alice\`): the local tracker cannot tell who you are; or use --owner <handle>`);
  }
  const arn = await context.deps.aws.callerArn({ region: target.region, profile: context.globals.profile });
  if (!Owner.safeParse(arn).success) {
    throw usageError(`--mine: your AWS identity ${arn} is not an owner handle the API accepts (a letter or a digit, then letters, digits and ._@:/+=,-): set ${OWNER_VARIABLE}, or use --owner <handle>`);
  }
  return arn;
}

/**
 * Who `ack` makes the owner when --owner is absent: REDRAW_TRACKER_OWNER, else
 * on AWS the caller's own identity (as `--mine`), else locally nobody.
 */
export async function implicitOwner(context: Pick<CommandContext, 'deps' | 'globals'>, client: TrackerClient): Promise<string | undefined> {
  const fromEnv = ownerFromEnv(context.deps.env);
  if (fromEnv !== undefined) return fromEnv;
  if (client.target.kind === 'local' || client.target.region === undefined) return undefined;
  return myOwner(context, client);
}

/** The headers of a person's action: locally the actor from REDRAW_TRACKER_OWNER (else the tracker records `local`); none on AWS. */
export function actorHeaders(client: TrackerClient, env: NodeJS.ProcessEnv): Record<string, string> {
  if (client.target.kind !== 'local') return {};
  const owner = ownerFromEnv(env);
  return owner === undefined ? {} : { [ACTOR_HEADER]: owner };
}

/** A follow-up id or an order id as typed: the API's id alphabet. */
export function checkId(command: string, id: string): string {
  if (!ResourceId.safeParse(id).success) throw usageError(`${command}: ${JSON.stringify(id)} is not a follow-up or order id (1-128 letters, digits, "-" or "_")`);
  return id;
}

function notFound(id: string, client: TrackerClient, targetFlags: string): CliError {
  return new CliError(EXIT.failed, `no follow-up or order ${id} on ${client.target.label}: check the id; \`npx redraw-tracker follow-ups${targetFlags}\` lists the open follow-ups`);
}

/**
 * The follow-up id of an order (GET /orders/{id}, its `follow_up_id`), for an
 * id that is not a follow-up's own: exit 1 when there is no such order or it has no follow-up.
 */
export async function followUpIdOfOrder(client: TrackerClient, id: string, targetFlags: string): Promise<string> {
  const answer = await client.get(`/orders/${encodeURIComponent(id)}`);
  if (answer === null) throw notFound(id, client, targetFlags);
  const { follow_up_id } = readAnswer(OrderFollowUp, answer, `GET /orders/${id}`).order;
  if (follow_up_id === null) {
    throw new CliError(EXIT.failed, `order ${id} has no follow-up on ${client.target.label}: one opens when its transaction has a redraw (\`npx redraw-tracker order ${shellWord(id)}${targetFlags}\` shows the order)`);
  }
  return follow_up_id;
}

/** GET /follow-ups/{id}, or the follow-up of order `id`. */
export async function readFollowUp(client: TrackerClient, id: string, targetFlags: string): Promise<FollowUpDetail> {
  let json = await client.get(`/follow-ups/${encodeURIComponent(id)}`);
  if (json === null) {
    const followUpId = await followUpIdOfOrder(client, id, targetFlags);
    json = await client.get(`/follow-ups/${encodeURIComponent(followUpId)}`);
    if (json === null) throw notFound(id, client, targetFlags);
  }
  return readAnswer(FollowUpDetail, json, `GET /follow-ups/${id}`);
}

// ---------------------------------------------------------------------------
// Times of `snooze`

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * `--until` as the API's canonical instant: an ISO date-time (with `Z` or an
 * offset; without one it is read as UTC), or a date YYYY-MM-DD meaning 00:00 UTC of that day.
 */
export function parseUntil(text: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const canonical = canonicalInstant(day ? `${text}T00:00:00Z` : text);
  if (canonical === null) throw usageError(`snooze: --until must be a date-time such as 2026-12-14T09:00:00Z or a date such as 2026-12-14, not ${JSON.stringify(text)}`);
  return canonical;
}

/** `--for` (e.g. 3d, 12h, 1d12h) from `now`, as the API's canonical instant. */
export function parseFor(text: string, now: Date): string {
  const match = /^(?:(\d{1,3})d)?(?:(\d{1,4})h)?$/.exec(text);
  const days = Number(match?.[1] ?? 0);
  const hours = Number(match?.[2] ?? 0);
  if (!match || days * DAY_MS + hours * HOUR_MS === 0) throw usageError(`snooze: --for must be a length such as 3d, 12h or 1d12h, not ${JSON.stringify(text)}`);
  return canonicalFromDate(new Date(now.getTime() + days * DAY_MS + hours * HOUR_MS));
}

// ---------------------------------------------------------------------------
// The action commands

/** How the API's body fields are typed on the command line, to word a refusal. */
const OPTION_OF_FIELD: Record<string, string> = {
  owner: 'owner',
  until: '--until/--for',
  reason: '--reason',
  channel: '--channel',
  outcome: '--outcome',
  disposition: '--disposition',
  reference: '--reference',
  expected_version: '--expected-version',
};

export const COMMON_ACTION_OPTIONS = {
  reference: { type: 'string' },
  'expected-version': { type: 'string' },
} satisfies ParseArgsConfig['options'];

export const COMMON_ACTION_HELP = `  --reference R          a ticket id or URL in your own system (A-Za-z0-9._:/#?=&-, at most 200)
  --expected-version N   act only if the follow-up is still at version N (else exit 1, naming its version)`;

export const ID_HELP = `<id> is a follow-up id (its transaction's id) or the id of any of its orders.`;

export interface ActionSpec {
  /** The command's name, e.g. `ack`. */
  name: string;
  /** The API's action, e.g. `acknowledge`. */
  action: ActionName;
  /** What the first line says it did, e.g. "Acknowledged". */
  done: string;
  help: string;
  options?: ParseArgsConfig['options'];
  /** Positionals after the id (assign's owner). */
  extraPositionals?: { max: number; name: string };
  /** The action's own body fields, from the options and positionals after the id; usage errors for what is missing. */
  fields(values: OptionValues, rest: readonly string[], now: Date): Record<string, unknown>;
  /**
   * `ack`: without an `owner` field, the follow-up goes to the implicit owner
   * (implicitOwner) when nobody owns it; one that has an owner keeps it.
   */
  takesIfUnowned?: boolean;
}

/** The body of an action: its fields, then `reference` and `expected_version` when given. */
export function actionBody(spec: Pick<ActionSpec, 'name' | 'action' | 'fields'>, values: OptionValues, rest: readonly string[], now: Date): Record<string, unknown> {
  const body: Record<string, unknown> = { action: spec.action, ...spec.fields(values, rest, now) };
  const reference = stringOption(values, 'reference');
  if (reference !== undefined) body.reference = reference;
  const expected = stringOption(values, 'expected-version');
  if (expected !== undefined) {
    if (!/^\d{1,15}$/.test(expected) || Number(expected) < 1) throw usageError(`${spec.name}: --expected-version must be a version number (1, 2, ...), not ${JSON.stringify(expected)}`);
    body.expected_version = Number(expected);
  }
  // The tracker's own rules, before a request: the same messages, naming the option.
  const parsed = parseAction(body, now);
  if (parsed.kind === 'invalid') {
    // "channel must be one of ..." reads "--channel must be one of ...": the option the user typed.
    const rule = /^([a-z_]+) (must .*)$/.exec(parsed.message);
    const option = rule ? OPTION_OF_FIELD[rule[1]!] : undefined;
    throw usageError(`${spec.name}: ${option !== undefined && rule ? `${option} ${rule[2]!}` : parsed.message}`);
  }
  return body;
}

/** The API's refusal of an action as one line and an exit code. */
export function actionRefusal(spec: Pick<ActionSpec, 'name'>, id: string, answer: Extract<Answer, { ok: false }>, client: TrackerClient, body: Record<string, unknown>, targetFlags: string): CliError {
  const label = client.target.label;
  if (answer.status === 409 && answer.code === 'conflict') {
    const current = FollowUpAnswer.safeParse(answer.json);
    const expected = typeof body.expected_version === 'number' ? `, not ${body.expected_version}` : '';
    if (current.success) {
      const { follow_up: followUp } = current.data;
      return new CliError(
        EXIT.failed,
        `${spec.name}: follow-up ${followUp.id} changed meanwhile: it is at version ${followUp.version}${expected} (${followUp.state}, owner ${followUp.owner ?? 'nobody'}); see \`npx redraw-tracker follow-up ${shellWord(followUp.id)}${targetFlags}\`, then try again with --expected-version ${followUp.version}`,
      );
    }
    return new CliError(EXIT.failed, `${spec.name}: follow-up ${id} changed meanwhile (version conflict${expected}): see \`npx redraw-tracker follow-up ${shellWord(id)}${targetFlags}\` and try again`);
  }
  if (answer.status === 409) return new CliError(EXIT.failed, `${spec.name}: follow-up ${id} on ${label}: ${answer.message ?? answer.code} (${answer.code})`);
  if (answer.status === 404) return new CliError(EXIT.failed, `${spec.name}: no follow-up ${id} on ${label}: check the id`);
  // A booking's 502 junction_unavailable (CONTRACT §14): Junction did not answer the tracker.
  if (answer.status === 502) return new CliError(EXIT.unreachable, `${spec.name}: Junction did not answer ${label}: ${answer.message ?? answer.code} (${answer.code})`);
  return new CliError(EXIT.usage, `${spec.name}: ${label} refused it: ${answer.message ?? answer.code} (${answer.code})`);
}

/**
 * POST the action to follow-up `id`; when there is none with that id, to the
 * follow-up of order `id`. The follow-up's id and the API's answer.
 */
export async function postAction(client: TrackerClient, id: string, body: Record<string, unknown>, headers: Record<string, string>, targetFlags: string): Promise<{ followUpId: string; answer: Answer }> {
  const path = (followUpId: string) => `/follow-ups/${encodeURIComponent(followUpId)}/actions`;
  const answer = await client.postForAnswer(path(id), body, headers);
  if (answer.ok || answer.status !== 404 || answer.code !== 'not_found') return { followUpId: id, answer };
  const followUpId = await followUpIdOfOrder(client, id, targetFlags);
  return { followUpId, answer: await client.postForAnswer(path(followUpId), body, headers) };
}

/** How many times `ack` reads again when the follow-up changed between its read and its action. */
const TAKE_ATTEMPTS = 3;

/**
 * The action for `owner` when the follow-up has no owner (it is read first, and
 * the action sent with its version, so an owner set meanwhile is never
 * overwritten: the conflict reads again), else as it is. `taken`: whether the
 * owner was sent.
 */
async function actTakingIfUnowned(
  client: TrackerClient,
  id: string,
  body: Record<string, unknown>,
  owner: string,
  headers: Record<string, string>,
  targetFlags: string,
): Promise<{ followUpId: string; answer: Answer; taken: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const { follow_up: current } = await readFollowUp(client, id, targetFlags);
    const path = `/follow-ups/${encodeURIComponent(current.id)}/actions`;
    if (current.owner !== null) return { followUpId: current.id, answer: await client.postForAnswer(path, body, headers), taken: false };
    const answer = await client.postForAnswer(path, { ...body, owner, expected_version: body.expected_version ?? current.version }, headers);
    const lostRace = !answer.ok && answer.status === 409 && answer.code === 'conflict' && body.expected_version === undefined;
    if (!lostRace || attempt >= TAKE_ATTEMPTS) return { followUpId: current.id, answer, taken: true };
  }
}

/** The lines an action prints for people: what it did, then the follow-up as it is now. */
export function actionLines(spec: Pick<ActionSpec, 'done'>, followUp: FollowUpView, now: Date, out: CommandContext['out']): string[] {
  return [`${spec.done} follow-up ${followUp.id} (now version ${followUp.version}).`, followUpTitle(followUp, out), ...followUpLines(followUp, now, out)];
}

/** One action command of the CLI. */
export function actionCommand(spec: ActionSpec): CommandModule {
  const extra = spec.extraPositionals;
  return {
    help: spec.help,
    options: { ...spec.options, ...COMMON_ACTION_OPTIONS },
    positionals: { min: 1, max: 1 + (extra?.max ?? 0), name: 'the follow-up or order id' },
    target: 'tracker',
    async run(context) {
      const { values, positionals, json, out, deps, tracker, targetFlags } = context;
      const id = checkId(spec.name, positionals[0]!);
      const now = deps.now();
      const body = actionBody(spec, values, positionals.slice(1), now);
      const client = await tracker();
      const headers = actorHeaders(client, deps.env);
      const owner = spec.takesIfUnowned && body.owner === undefined ? await implicitOwner(context, client) : undefined;
      const { followUpId, answer, taken } =
        owner === undefined ? { ...(await postAction(client, id, body, headers, targetFlags)), taken: true } : await actTakingIfUnowned(client, id, body, owner, headers, targetFlags);
      if (!answer.ok) throw actionRefusal(spec, followUpId, answer, client, body, targetFlags);
      const { follow_up: followUp } = readAnswer(FollowUpAnswer, answer.json, `POST /follow-ups/${followUpId}/actions`);
      if (json) {
        out.json({ follow_up: followUp });
        return EXIT.ok;
      }
      for (const line of actionLines(spec, followUp, deps.now(), out)) out.line(line);
      if (!taken && followUp.owner !== null && followUp.owner !== owner) {
        // Acknowledge never replaces an owner (CONTRACT §9): only assign does, on purpose.
        out.line(`It stays ${followUp.owner}'s: \`npx redraw-tracker assign ${shellWord(followUp.id)} ${shellWord(owner ?? '')}${targetFlags}\` takes it.`);
      }
      return EXIT.ok;
    },
  };
}
