/**
 * A follow-up's history, oldest first: when (local time beside UTC), who, what,
 * from → to in words (lib/history-words.ts), and the action's fields. Work done
 * in the EHR (`source: "ehr"`, CONTRACT §13) reads as such: "Closed in the EHR by
 * Ann Lee (Practitioner/123)", its EHR user by name as who (lib/people.ts), and
 * as when the EHR's own time, brought here beside it (lib/ehr-time.ts), as the
 * page's lead, notice and Facts say it (issue 84). The Task's version id in the
 * EHR (a UUID on many servers) is behind a "details" disclosure, not in the row.
 */
import { ehrWhyWords } from '../../../functions/core/fhir/ehr-words';
import { choiceWords } from '../lib/actions';
import { entryTimeWords } from '../lib/ehr-time';
import { ehrEntryLine } from '../lib/ehr-status';
import { actionWords, stepWords } from '../lib/history-words';
import { personAtStart } from '../lib/people';
import type { Action } from '../lib/types';
import { timeWords } from '../lib/urgency';

/** Said in other columns (who, when), or behind the disclosure (the version id). */
const OWN = new Set(['at', 'actor', 'actor_display', 'action', 'from_state', 'to_state', 'source', 'fhir_last_updated', 'fhir_version_id']);

/** A field's value in words: a time, a choice's words, none, or a record's own fields ("status: completed, owner: none"). */
function valueWords(name: string, value: unknown, inEhr: boolean): string {
  if (value === null) return 'none';
  if (typeof value === 'string') {
    if (name === 'until' || name.endsWith('_at') || name === 'fact_time') return timeWords(value);
    return inEhr && name === 'why' ? ehrWhyWords(value) : choiceWords(value);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key.replaceAll('_', ' ')} ${valueWords(key, inner, inEhr)}`)
      .join(', ');
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function fieldWords(name: string, value: unknown, inEhr: boolean): string {
  return `${name === 'ehr_set' ? 'set in the EHR' : name.replaceAll('_', ' ')}: ${valueWords(name, value, inEhr)}`;
}

function Details({ entry }: { entry: Action }) {
  const fields = Object.entries(entry)
    .filter(([name]) => !OWN.has(name))
    .map(([name, value]) => fieldWords(name, value, entry.source === 'ehr'))
    .join('; ');
  const version = entry.source === 'ehr' && typeof entry.fhir_version_id === 'string' ? entry.fhir_version_id : null;
  return (
    <td>
      {fields}
      {version !== null && (
        <details class="ehr-version">
          <summary>details</summary>
          Version in the EHR: {version}
        </details>
      )}
    </td>
  );
}

function HistoryRow({ entry }: { entry: Action }) {
  const inEhr = ehrEntryLine(entry);
  return (
    <tr>
      <td>{entryTimeWords(entry)}</td>
      <td>{personAtStart(entry.actor, entry.actor_display)}</td>
      <td>{inEhr ?? actionWords(entry.action)}</td>
      <td>{stepWords(entry)}</td>
      <Details entry={entry} />
    </tr>
  );
}

export function HistoryTable({ history }: { history: readonly Action[] }) {
  if (history.length === 0) return <p>No history yet.</p>;
  return (
    // A scroll area on a narrow screen: reachable and named for the keyboard (WCAG 2.1.1, axe scrollable-region-focusable).
    <div class="table-wrap" tabIndex={0} role="region" aria-label="History (scrolls sideways on a narrow screen)">
      <table class="history">
        <caption>History, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">From → to</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {history.map((entry, index) => (
            <HistoryRow key={`${entry.at}-${index}`} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
