/**
 * When a snooze ends (CONTRACT §12, the snooze picker in local time): a preset
 * of days, tomorrow at 09:00 or a date and time, read and said on the
 * browser's clock, with the UTC instant it sends said beside it before it is sent.
 */
import { SNOOZE_PRESETS } from '../lib/actions';
import type { Drafts } from '../lib/action-draft';
import { snoozeInstant, TOMORROW, TOMORROW_TIME } from '../lib/snooze-time';
import { snoozeUntilWords } from '../lib/snooze-words';
import { browserZone, zonedParts } from '../lib/time';
import { Problem } from './action-fields';

type SnoozeDraft = Drafts['snooze'];

export function SnoozePicker({ draft, error, onChange }: { draft: SnoozeDraft; error: string | undefined; onChange: (draft: SnoozeDraft) => void }) {
  const zone = browserZone();
  const now = new Date();
  const until = snoozeInstant(draft, SNOOZE_PRESETS, now, zone);
  const zoneName = zonedParts(until ?? new Date(), zone).zoneName;
  const preset = (key: string) => () => onChange({ ...draft, preset: key });
  return (
    <fieldset class={error ? 'field field-error' : 'field'}>
      <legend>Snooze for</legend>
      <Problem id="field-snooze-until" message={error} />
      {Object.entries(SNOOZE_PRESETS).map(([key, choice]) => (
        <label class="choice" key={key}>
          <input type="radio" name="snooze-preset" id={key === '1d' ? 'field-snooze-until' : undefined} value={key} checked={draft.preset === key} aria-describedby="snooze-sends" onChange={preset(key)} />{' '}
          {choice.words}
        </label>
      ))}
      <label class="choice">
        <input type="radio" name="snooze-preset" value={TOMORROW} checked={draft.preset === TOMORROW} aria-describedby="snooze-sends" onChange={preset(TOMORROW)} /> Tomorrow {TOMORROW_TIME} ({zoneName})
      </label>
      <label class="choice">
        <input type="radio" name="snooze-preset" value="until" checked={draft.preset === 'until'} onChange={preset('until')} /> Until a date and time
      </label>
      {draft.preset === 'until' && (
        <fieldset class="inline-fields">
          <legend>
            Until ({zone}, {zoneName})
          </legend>
          <div class="field">
            <label for="field-snooze-date">Date</label>
            <input id="field-snooze-date" type="date" value={draft.date} aria-describedby="snooze-sends" onInput={(event) => onChange({ ...draft, date: event.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="field-snooze-time">Time</label>
            <input id="field-snooze-time" type="time" value={draft.time} aria-describedby="snooze-sends" onInput={(event) => onChange({ ...draft, time: event.currentTarget.value })} />
          </div>
        </fieldset>
      )}
      <p class="hint" id="snooze-sends">
        {/* Local time once, named, UTC beside it once (issue 72): what the person chose, and what is sent. */}
        {until ? `Snoozes until ${snoozeUntilWords(until.toISOString(), now, zone)}.` : 'Choose a date and a time to see when it ends.'}
      </p>
    </fieldset>
  );
}
