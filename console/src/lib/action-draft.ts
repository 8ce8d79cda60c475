/**
 * What the action forms hold (strings, as the controls give them) and the
 * draft of one action they make: the follow-up's page and Bulk fill the same
 * drafts and send what draftOf makes of them (lib/actions.ts checks it).
 */
import { SNOOZE_PRESETS, type ActionDraft, type ActionName } from './actions';
import { snoozeInstant } from './snooze-time';

/** A form's controls as strings, per action. */
export interface Drafts {
  assign: { owner: string };
  snooze: { preset: string; date: string; time: string; reason: string };
  record_contact: { channel: string; outcome: string };
  close: { disposition: string };
}

export const EMPTY_DRAFTS: Drafts = {
  assign: { owner: '' },
  snooze: { preset: '1d', date: '', time: '', reason: '' },
  record_contact: { channel: '', outcome: '' },
  close: { disposition: '' },
};

/** Who sends the action and how: the shared reference (may be empty), who acts, and whether it is "Take it". */
export interface Sender {
  reference: string;
  me: string;
  takeIt: boolean;
}

/** The draft of `action` from the forms; a snooze's time is read on `zone`'s clock (the picker says which) and sent in UTC. */
export function draftOf(action: ActionName, drafts: Drafts, sender: Sender, now: Date, zone: string): ActionDraft {
  const draft: ActionDraft = { action };
  if (sender.reference) draft.reference = sender.reference;
  switch (action) {
    case 'acknowledge':
      if (sender.takeIt) draft.owner = sender.me;
      break;
    case 'assign':
      // "Take it" on an acknowledged or snoozed follow-up nobody owns: assign it to me.
      draft.owner = sender.takeIt ? sender.me : drafts.assign.owner.trim();
      break;
    case 'snooze': {
      const until = snoozeInstant(drafts.snooze, SNOOZE_PRESETS, now, zone);
      if (until) draft.until = until.toISOString();
      draft.reason = drafts.snooze.reason;
      break;
    }
    case 'record_contact':
      draft.channel = drafts.record_contact.channel;
      draft.outcome = drafts.record_contact.outcome;
      break;
    case 'close':
      draft.disposition = drafts.close.disposition;
      break;
    case 'unsnooze':
    case 'reopen':
      break;
  }
  return draft;
}

/** Whether the forms hold anything not sent yet: a choice, a handle or a reference. The page then never reads itself again on its own. */
export function hasUnsentInput(drafts: Drafts, reference: string): boolean {
  if (reference !== '') return true;
  return (Object.keys(EMPTY_DRAFTS) as (keyof Drafts)[]).some((action) => JSON.stringify(drafts[action]) !== JSON.stringify(EMPTY_DRAFTS[action]));
}
