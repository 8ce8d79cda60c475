/**
 * The body of a person's action (POST /follow-ups/{id}/actions, CONTRACT §9):
 * its strict schema, one object per action, and its parse, whose refusals name
 * the field and what it may hold, never what was sent (it may carry PHI). An
 * owner is a handle of a restricted alphabet, a reference a ticket id or URL:
 * no free text.
 */
import * as z from 'zod/mini';
import { BOOKING_ACTION_NAMES } from '../booking/record';
import { instantMillis } from '../instant';
import { Instant } from '../schemas';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, PERSON_DISPOSITIONS, SNOOZE_REASONS } from './states';

/** Longest snooze (CONTRACT §9). */
export const MAX_SNOOZE_DAYS = 90;
const DAY_MS = 86_400_000;

/** The longest owner: any actor can be an owner, an IAM ARN of up to 2,048 characters included (CONTRACT §9). */
export const MAX_OWNER_LENGTH = 2048;
/** The characters of a handle, an actor or an IAM ARN (IAM names add `=` and `,`): no spaces, no free text. */
export const HANDLE_CHARACTERS = 'A-Za-z0-9._@:/+=,-';
/**
 * A handle a person gives starts with a letter or a digit (CONTRACT §9): `=cmd`,
 * `+1555` or `@ops` would read as a formula or a mention in a spreadsheet or a
 * chat. Owners stored before the rule are kept; only a new one is held to it.
 */
export const HANDLE_START = 'A-Za-z0-9';
/** What a handle a person gives may be, as a 400 says it. */
export const OWNER_RULE = `a letter or a digit, then letters, digits and ._@:/+=,- (1-${MAX_OWNER_LENGTH} characters)`;
/** A person's or a team's handle, or any actor (an IAM ARN, `user:<name>`, `chat:<channel>`): no spaces, no free text. */
export const Owner = z
  .string()
  .check(z.minLength(1), z.maxLength(MAX_OWNER_LENGTH), z.regex(new RegExp(`^[${HANDLE_START}][${HANDLE_CHARACTERS}]*$`), `must be ${OWNER_RULE}`));
/** A ticket id or URL in the team's own system (CONTRACT §9). */
const Reference = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._:/#?=&-]+$/, 'may hold only A-Za-z0-9._:/#?=&-'));
const Common = {
  expected_version: z.optional(z.int().check(z.positive())),
  reference: z.optional(Reference),
};

export const ActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge'), owner: z.optional(Owner), ...Common }),
  z.strictObject({ action: z.literal('assign'), owner: z.nullable(Owner), ...Common }),
  z.strictObject({ action: z.literal('snooze'), until: Instant, reason: z.enum(SNOOZE_REASONS), ...Common }),
  z.strictObject({ action: z.literal('unsnooze'), ...Common }),
  z.strictObject({ action: z.literal('record_contact'), channel: z.enum(CONTACT_CHANNELS), outcome: z.enum(CONTACT_OUTCOMES), ...Common }),
  z.strictObject({ action: z.literal('close'), disposition: z.enum(PERSON_DISPOSITIONS), ...Common }),
  z.strictObject({ action: z.literal('reopen'), ...Common }),
]);
export type ActionBody = z.output<typeof ActionBody>;

/** Why a body is refused (400 invalid_request): a message that names the field. */
export type ParsedAction = { kind: 'ok'; action: ActionBody } | { kind: 'invalid'; message: string };

/** A person's action's name (CONTRACT §9's table). */
export type ActionName = ActionBody['action'];

/** The names of the actions, in the order the contract lists them: the only part of a body a log may name. */
export const ACTION_NAMES: readonly ActionName[] = ActionBody._zod.def.options.flatMap((option) => option._zod.def.shape.action._zod.def.values);

/** What a field of an action's body may hold, as a 400 says it: the field's name and what is allowed, never what was sent. */
function fieldRule(field: string, action: unknown): string {
  const handle = OWNER_RULE;
  const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;
  switch (field) {
    case 'action':
      return `action ${oneOf([...ACTION_NAMES, ...BOOKING_ACTION_NAMES])}`;
    case 'owner':
      return action === 'assign' ? `owner must be ${handle} (null unassigns)` : `owner must be ${handle}`;
    case 'until':
      return 'until must be an ISO 8601 date-time such as 2026-12-14T09:00:00Z';
    case 'reason':
      return `reason ${oneOf(SNOOZE_REASONS)}`;
    case 'channel':
      return `channel ${oneOf(CONTACT_CHANNELS)}`;
    case 'outcome':
      return `outcome ${oneOf(CONTACT_OUTCOMES)}`;
    case 'disposition':
      return `disposition ${oneOf(PERSON_DISPOSITIONS)}`;
    case 'expected_version':
      return "expected_version must be a whole number of 1 or more (the follow-up's version)";
    case 'reference':
      return 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-';
    default:
      return `${field} is not valid here`;
  }
}

/**
 * Parses an action's JSON body; `now` checks that a snooze ends in the future and
 * within MAX_SNOOZE_DAYS. A refusal's message starts with the field's name and says
 * what it may hold (`channel must be one of phone, ...`): zod's own wording never
 * reaches a user, and nothing sent is echoed (it may carry PHI).
 */
export function parseAction(body: unknown, now: Date): ParsedAction {
  const parsed = ActionBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const action = typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
    if (issue === undefined || issue.path.length === 0) {
      // An unknown field's name is the sender's text (it may carry PHI): the message names the fields the action takes instead.
      if (issue?.code === 'unrecognized_keys') return { kind: 'invalid', message: `unknown field: ${fieldsOf(action)}` };
      return { kind: 'invalid', message: 'the body must be a JSON object: {"action": "...", ...}' };
    }
    // The path's first part is one of the action's own field names (a strict object's keys), never the sender's text.
    return { kind: 'invalid', message: fieldRule(String(issue.path[0]), action) };
  }
  const action = parsed.data;
  if (action.action === 'snooze') {
    const until = instantMillis(action.until);
    if (until <= now.getTime()) return { kind: 'invalid', message: 'until must be in the future' };
    if (until > now.getTime() + MAX_SNOOZE_DAYS * DAY_MS) return { kind: 'invalid', message: `until must be at most ${MAX_SNOOZE_DAYS} days ahead` };
  }
  return { kind: 'ok', action };
}

/** The fields an action's body may hold, for the message that refuses an unknown one. */
function fieldsOf(name: unknown): string {
  const option = ActionBody._zod.def.options.find((candidate) => candidate._zod.def.shape.action._zod.def.values.includes(name as never));
  return option ? `${String(name)} takes only ${Object.keys(option._zod.def.shape).join(', ')}` : 'not a field of this action';
}
