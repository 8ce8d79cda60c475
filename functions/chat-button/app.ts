/**
 * The chat buttons of the stale-redraw notification (CONTRACT §9; issue 32):
 * "Acknowledge" and "Snooze 2 days", run by Amazon Q Developer in chat
 * applications as `lambda invoke` of this function, as the channel's role
 * (lib/chat-actions.ts).
 *
 * This function is the whole of what a channel member can do, so it takes one
 * short payload and nothing else: `{"i": "<follow-up id>", "b": "ack" |
 * "snooze2d", "v": "<version>"}`, `v` the follow-up's version in the alert (the
 * bot substitutes it as text, so a decimal string or a number). Anything else
 * (an HTTP-shaped event, another action, an extra field) is refused and changes
 * nothing. A button is one of two actions, `acknowledge` or `snooze` for 48 h
 * with reason `other`, always with `expected_version: v`: a click on an alert
 * older than the follow-up's last change does nothing and says so ("changed
 * since this alert"). The actor is the channel (`chat:<channel id>`), never
 * something the payload says.
 *
 * A button acts only on a follow-up that an alert named (its `alertedAt`
 * marker, set by the sweep once SNS accepted the alert): a guessed id of any
 * other is refused and changes nothing. Its snooze never extends a snooze: on
 * a follow-up snoozed now it is refused, and a person decides in the console
 * (core/follow-up/person-action.ts buttonRefusal). Each refusal is logged with its reason and
 * counted (CHAT_BUTTON_REFUSED_METRIC).
 *
 * The answer is a small JSON object the bot shows in the thread: `status`, a
 * `message` in words, and the follow-up's id, state, owner, snooze and version.
 * It never repeats the payload; logs name the follow-up, the button and the
 * outcome only.
 */
import * as z from 'zod/mini';
import { humanTime } from '../core/alert-time';
import { buttonRefusal } from '../core/follow-up/person-action';
import { canonicalFromDate } from '../core/instant';
import { ResourceId } from '../core/schemas';
import type { StaleThresholds } from '../core/staleness';
import { actOnFollowUpUnless, type ButtonActionResult } from '../store/follow-ups/actions';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { followUpViews } from '../store/follow-ups/worklist';
import type { TableClient } from '../store/table-client';
import { SERVICES } from '../shared/metric-names';
import { errorName, type FlushingMetricSink, type LogSink } from '../shared/observability';

export const CHAT_BUTTON_SERVICE_NAME = SERVICES.chatButton;

/** The buttons, by the code their payload's `b` carries: "Acknowledge" and "Snooze 2 days". */
export const CHAT_BUTTON_CODES = ['ack', 'snooze2d'] as const;
export type ChatButtonCode = (typeof CHAT_BUTTON_CODES)[number];

/**
 * Clicks refused before anything was tried (dimension service=chat-button): a
 * payload that is not a button's, a follow-up no alert named, a snooze of a
 * snoozed follow-up. The log line says which.
 */
export const CHAT_BUTTON_REFUSED_METRIC = 'ChatButtonsRefused';

/** How long "Snooze 2 days" snoozes, from the click. */
export const BUTTON_SNOOZE_MS = 48 * 3_600_000;

/** The actor of a click: the channel, `chat:<Slack channel id>` (CONTRACT §9). */
export function chatActor(channelId: string): string {
  return `chat:${channelId}`;
}

/** A follow-up's version as the alert carries it: a positive integer, or its decimal text. */
const Version = z.union([
  z.int().check(z.positive()),
  z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,14}$/)), z.transform(Number)),
]);

/** The one payload a button sends (lib/chat-actions.ts buttonPayloadTemplate); strict: no other field. */
const ButtonPayload = z.strictObject({ i: ResourceId, b: z.enum(CHAT_BUTTON_CODES), v: Version });

/** What the bot shows: an outcome, in words, and the follow-up as it is now (ids, a state, a handle, times). */
export interface ChatButtonAnswer {
  status: 'done' | 'unchanged' | 'conflict' | 'not_found' | 'invalid_transition' | 'refused' | 'error';
  message: string;
  follow_up?: { id: string; state: string; owner: string | null; snoozed_until: string | null; version: number };
}

export interface ChatButtonDeps {
  db: TableClient;
  tableName: string;
  thresholds: StaleThresholds;
  logger: LogSink;
  /** The Slack channel the buttons are in: the actor is `chat:<channelId>`. */
  channelId: string;
  /** Counts refusals (CHAT_BUTTON_REFUSED_METRIC); absent: not counted. */
  metrics?: FlushingMetricSink;
  now?: () => Date;
}

const REFUSED: ChatButtonAnswer = {
  status: 'refused',
  message: 'Not done: this function takes only a chat button\'s payload {"i": follow-up id, "b": "ack" or "snooze2d", "v": version}. Nothing was changed.',
};

/** The action body a button stands for, bound to the alert's version. */
function actionOf(button: ChatButtonCode, version: number, at: Date): Record<string, unknown> {
  if (button === 'ack') return { action: 'acknowledge', expected_version: version };
  return { action: 'snooze', until: canonicalFromDate(new Date(at.getTime() + BUTTON_SNOOZE_MS)), reason: 'other', expected_version: version };
}

/** The chat-button function's handler: one payload in, one ChatButtonAnswer out (never a thrown error). */
export function createChatButtonHandler(deps: ChatButtonDeps): (event: unknown) => Promise<ChatButtonAnswer> {
  const { db, tableName, thresholds, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const actor = chatActor(deps.channelId);

  const summary = async (stored: StoredFollowUp, at: Date): Promise<NonNullable<ChatButtonAnswer['follow_up']>> => {
    const [view] = await followUpViews(db, tableName, [stored], at);
    if (view === undefined) throw new Error('no view of a stored follow-up');
    return { id: view.id, state: view.state, owner: view.owner, snoozed_until: view.snoozed_until, version: view.version };
  };

  const countRefused = () => {
    deps.metrics?.addMetric(CHAT_BUTTON_REFUSED_METRIC, 'Count', 1);
    deps.metrics?.publishStoredMetrics();
  };

  const answerOf = async (result: ButtonActionResult, button: ChatButtonCode, version: number, at: Date): Promise<ChatButtonAnswer> => {
    switch (result.kind) {
      case 'refused':
        // A follow-up no alert named shows nothing of itself: the id may be a guess.
        if (result.refusal.reason === 'never_alerted') return { status: 'refused', message: `Nothing done: ${result.refusal.message}.` };
        return { status: 'refused', message: `Nothing done: ${result.refusal.message}.`, follow_up: await summary(result.stored, at) };
      case 'changed': {
        const followUp = await summary(result.stored, at);
        const message =
          button === 'ack'
            ? 'Acknowledged.'
            : `Snoozed until ${followUp.snoozed_until === null ? '(unknown)' : humanTime(followUp.snoozed_until)} (reason: other).`;
        return { status: 'done', message, follow_up: followUp };
      }
      case 'unchanged': {
        const followUp = await summary(result.stored, at);
        return { status: 'unchanged', message: `Nothing to change: the follow-up is already ${followUp.state}.`, follow_up: followUp };
      }
      case 'conflict': {
        const followUp = await summary(result.stored, at);
        return {
          status: 'conflict',
          message: `Nothing done: the follow-up changed since this alert (the alert showed version ${version}, it is now version ${followUp.version}, ${followUp.state}). Look at it in the worklist before acting.`,
          follow_up: followUp,
        };
      }
      case 'not_found':
        return { status: 'not_found', message: 'Nothing done: there is no follow-up with this id.' };
      case 'invalid_transition':
        return { status: 'invalid_transition', message: `Nothing done: ${result.message}.`, follow_up: await summary(result.stored, at) };
      case 'invalid_request':
        // The bodies above are valid by construction; the store's message may still name a field, never a value.
        return { status: 'refused', message: `Nothing done: ${result.message}.` };
    }
  };

  return async (event: unknown): Promise<ChatButtonAnswer> => {
    const payload = ButtonPayload.safeParse(event);
    if (!payload.success) {
      // Never logged: whatever was sent is the sender's text.
      logger.warn('chat button payload refused');
      countRefused();
      return REFUSED;
    }
    const { i: id, b: button, v: version } = payload.data;
    try {
      const at = now();
      const action = button === 'ack' ? 'acknowledge' : 'snooze';
      const result = await actOnFollowUpUnless(db, tableName, { id, body: actionOf(button, version, at), actor, callerKind: 'chat', now: at, thresholds }, (stored) =>
        buttonRefusal(stored.followUp, (stored.alertedAt ?? null) !== null, action, at),
      );
      if (result.kind === 'refused') {
        logger.warn('chat button refused', { follow_up_id: id, button, outcome: 'refused', reason: result.refusal.reason });
        countRefused();
      } else {
        logger.info('chat button', { follow_up_id: id, button, outcome: result.kind });
      }
      return await answerOf(result, button, version, at);
    } catch (error) {
      logger.error('chat button failed', { follow_up_id: id, button, error: errorName(error) });
      return { status: 'error', message: 'Internal error: the follow-up may or may not have changed. Look at it in the worklist before clicking again.' };
    }
  };
}
