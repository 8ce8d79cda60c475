/** The worklist's table: one row per follow-up, in the API's order, urgency in words with a colour class. */
import { followUpHref } from '../lib/route';
import type { FollowUp } from '../lib/types';
import { urgencyOf } from '../lib/urgency';
import { lastContactWords, ownerWords, stateWords } from '../lib/words';

export function FollowUpTable({ caption, rows, now, id }: { caption: string; rows: readonly FollowUp[]; now: Date; id?: string }) {
  return (
    <div class="table-wrap">
      <table id={id} class="follow-ups">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Follow-up</th>
            <th scope="col">Urgency</th>
            <th scope="col">State</th>
            <th scope="col">Owner</th>
            <th scope="col">Contact attempts</th>
            <th scope="col">Last contact</th>
            <th scope="col">Reference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const urgency = urgencyOf(row, now);
            return (
              <tr key={row.id} data-id={row.id}>
                <th scope="row">
                  <a class="row-link" href={followUpHref(row.id)}>
                    {row.id}
                  </a>
                </th>
                <td>
                  <span class={`urgency urgency-${urgency.band}`}>{urgency.words}</span>
                </td>
                <td>{stateWords(row.state)}</td>
                <td class={row.owner === null ? 'muted' : undefined}>{ownerWords(row.owner)}</td>
                <td class="number">{row.contact_attempts}</td>
                <td>{lastContactWords(row.last_contact)}</td>
                <td>{row.reference ?? 'None'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
