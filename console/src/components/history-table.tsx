/**
 * A follow-up's history, oldest first: when (local time beside UTC), who, what,
 * from → to in words (lib/history-words.ts), and the action's fields. Work done
 * in the EHR (`source: "ehr"`, CONTRACT §13) reads as such: "Closed in the EHR by
 * Practitioner/123", its EHR user as who, and the Task's version and time there.
 */
import { ehrActorWords } from '../../../functions/core/fhir-ehr-words';
import { choiceWords } from '../lib/actions';
import { ehrEntryLine } from '../lib/ehr-status';
import { actionWords, stepWords } from '../lib/history-words';
import type { Action } from '../lib/types';
import { timeWords } from '../lib/urgency';

const OWN = new Set(['at', 'actor', 'action', 'from_state', 'to_state', 'source']);

/** The Task's version and time in the EHR, on an entry of work done there. */
const EHR_FIELDS: Readonly<Record<string, string>> = { fhir_version_id: 'version in the EHR', fhir_last_updated: 'saved in the EHR' };

function fieldWords(name: string, value: unknown): string {
  if (EHR_FIELDS[name] && typeof value === 'string') return `${EHR_FIELDS[name]}: ${name === 'fhir_last_updated' ? timeWords(value) : value}`;
  if (value === null) return `${name.replaceAll('_', ' ')}: none`;
  if (typeof value === 'string') {
    const shown = name === 'until' || name.endsWith('_at') || name === 'fact_time' ? timeWords(value) : choiceWords(value);
    return `${name.replaceAll('_', ' ')}: ${shown}`;
  }
  return `${name.replaceAll('_', ' ')}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
}

function HistoryRow({ entry }: { entry: Action }) {
  const inEhr = ehrEntryLine(entry);
  return (
    <tr>
      <td>{timeWords(entry.at)}</td>
      <td>{inEhr ? `${ehrActorWords(entry.actor) ?? entry.actor} (in the EHR)` : entry.actor}</td>
      <td>{inEhr ?? actionWords(entry.action)}</td>
      <td>{stepWords(entry)}</td>
      <td>
        {Object.entries(entry)
          .filter(([name]) => !OWN.has(name))
          .map(([name, value]) => fieldWords(name, value))
          .join('; ')}
      </td>
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
