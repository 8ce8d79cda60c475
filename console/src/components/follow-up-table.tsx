/**
 * The worklist's table: one row per follow-up, in the API's order, one line
 * each (CONTRACT §12, "Working a shift"): short ids with copy buttons, the
 * order id to paste into Junction, urgency in words with a colour class (the
 * colour only repeats the words) and how overdue, the stale reason, the due time, state, owner
 * ("Take it" where there is none), days open; on Closed the disposition, who
 * closed it and when. Its wrapper scrolls sideways on a narrow window, so it is
 * a named, focusable region.
 */
import type { Queue } from '../lib/url-state';
import type { RowView } from '../lib/row-view';
import { CopyButton, OrderId, OwnerCell, RowLink, RowTimeText, UrgencyText, type RowHandlers } from './row-parts';

export function FollowUpTable({ caption, rows, queue, from, handlers }: { caption: string; rows: readonly RowView[]; queue: Queue; from: URLSearchParams; handlers: RowHandlers }) {
  const closed = queue === 'closed';
  return (
    <div class="table-wrap" role="region" aria-labelledby="worklist-caption" tabIndex={0}>
      <table class="follow-ups worklist-rows">
        <caption id="worklist-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Follow-up</th>
            <th scope="col">Order (for Junction)</th>
            {closed ? (
              <>
                <th scope="col">Disposition</th>
                <th scope="col">Closed by</th>
                <th scope="col">Closed</th>
              </>
            ) : (
              <>
                <th scope="col">Urgency</th>
                <th scope="col">Why</th>
                <th scope="col">Due</th>
                <th scope="col">State</th>
              </>
            )}
            <th scope="col">Owner</th>
            <th scope="col" class="number">
              Days open
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-id={row.id}>
              <th scope="row">
                <span class="id-with-copy">
                  <RowLink row={row} from={from} /> <CopyButton text={row.id} what="follow-up id" onCopy={handlers.onCopy} />
                </span>
              </th>
              <td class="nowrap">
                <OrderId row={row} onCopy={handlers.onCopy} />
              </td>
              {closed ? (
                <>
                  <td>{row.disposition}</td>
                  <td>{row.closedBy}</td>
                  <td class="nowrap">
                    <RowTimeText time={row.closed} none="Not known" />
                  </td>
                </>
              ) : (
                <>
                  <td>
                    <UrgencyText row={row} />
                  </td>
                  <td class={row.why === null ? 'nowrap muted' : 'nowrap'}>{row.why ?? 'None'}</td>
                  <td class="nowrap">
                    <RowTimeText time={row.due} none={row.dueNone} />
                  </td>
                  <td class="nowrap">{row.state}</td>
                </>
              )}
              <td class="nowrap">
                <OwnerCell row={row} onTake={handlers.onTake} />
              </td>
              <td class="number">{row.daysOpen}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
