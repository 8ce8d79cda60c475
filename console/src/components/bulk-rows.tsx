/**
 * Bulk's rows (CONTRACT §12): each with a checkbox named for the follow-up it
 * selects, its urgency, state and owner. The version each is sent with stays in
 * the request (lib/bulk-apply.ts), not on the screen: nobody reads it.
 */
import { followUpHref } from '../lib/route';
import type { FollowUp } from '../lib/types';
import { urgencyOf } from '../lib/urgency';
import { ownerWords, stateWords } from '../lib/words';

interface BulkRowsProps {
  caption: string;
  items: readonly FollowUp[];
  selected: ReadonlySet<string>;
  onSelect(ids: ReadonlySet<string>): void;
  onToggle(id: string, on: boolean): void;
}

export function BulkRows({ caption, items, selected, onSelect, onToggle }: BulkRowsProps) {
  const allSelected = items.length > 0 && items.every((item) => selected.has(item.id));
  const now = new Date();
  return (
    <div class="table-wrap">
      <table class="follow-ups bulk-rows">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              <label class="select-all">
                <input id="field-bulk-rows" type="checkbox" checked={allSelected} onChange={(event) => onSelect(event.currentTarget.checked ? new Set(items.map((item) => item.id)) : new Set())} />
                Select all<span class="visually-hidden"> on this page</span>
              </label>
            </th>
            <th scope="col">Follow-up</th>
            <th scope="col">Urgency</th>
            <th scope="col">State</th>
            <th scope="col">Owner</th>
          </tr>
        </thead>
        <tbody>
          {items.map((row) => {
            const urgency = urgencyOf(row, now);
            return (
              <tr key={row.id}>
                <td class="bulk-select">
                  <input type="checkbox" id={`select-${row.id}`} aria-label={`Select follow-up ${row.id}`} checked={selected.has(row.id)} onChange={(event) => onToggle(row.id, event.currentTarget.checked)} />
                </td>
                <th scope="row">
                  <a href={followUpHref(row.id)}>{row.id}</a>
                </th>
                <td data-label="Urgency">
                  <span class={`urgency urgency-${urgency.band}`}>{urgency.words}</span>
                </td>
                <td data-label="State">{stateWords(row.state)}</td>
                <td data-label="Owner">{ownerWords(row.owner)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
