/**
 * The worklist's rows as cards on a narrow screen (below NARROW_WIDTH): the
 * same content as the table, a list of follow-ups each with its facts, so
 * nothing scrolls sideways on a phone (CONTRACT §12).
 */
import { useEffect, useState } from 'preact/hooks';
import type { RowView } from '../lib/row-view';
import type { Queue } from '../lib/url-state';
import { CopyButton, OrderId, OwnerCell, RowLink, RowTimeText, UrgencyText, type RowHandlers } from './row-parts';

/** Below this width (CSS px) the rows are cards. */
export const NARROW_WIDTH = 600;
const NARROW_QUERY = `(max-width: ${NARROW_WIDTH - 0.02}px)`;

/** Whether the window is narrower than NARROW_WIDTH, following its resizes. */
export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW_QUERY);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener('change', onChange);
    onChange();
    return () => query.removeEventListener('change', onChange);
  }, []);
  return narrow;
}

export function FollowUpCards({ caption, rows, queue, from, handlers }: { caption: string; rows: readonly RowView[]; queue: Queue; from: URLSearchParams; handlers: RowHandlers }) {
  const closed = queue === 'closed';
  return (
    <>
      <h2 id="worklist-caption" class="cards-caption">
        {caption}
      </h2>
      <ol class="row-cards worklist-rows" aria-labelledby="worklist-caption">
        {rows.map((row) => (
          <li key={row.id} data-id={row.id} class="row-card">
            <article aria-label={`Follow-up ${row.id}`}>
              <p class="card-title id-with-copy">
                <RowLink row={row} from={from} /> <CopyButton text={row.id} what="follow-up id" onCopy={handlers.onCopy} />
                {!closed && (
                  <>
                    {' '}
                    <UrgencyText row={row} />
                  </>
                )}
              </p>
              <dl class="card-facts">
                <dt>Order (for Junction)</dt>
                <dd>
                  <OrderId row={row} onCopy={handlers.onCopy} />
                </dd>
                {closed ? (
                  <>
                    <dt>Disposition</dt>
                    <dd>{row.disposition}</dd>
                    <dt>Closed by</dt>
                    <dd>{row.closedBy}</dd>
                    <dt>Closed</dt>
                    <dd>
                      <RowTimeText time={row.closed} none="Not known" />
                    </dd>
                  </>
                ) : (
                  <>
                    <dt>Why</dt>
                    <dd class={row.why === null ? 'muted' : undefined}>{row.why ?? 'None'}</dd>
                    <dt>Due</dt>
                    <dd>
                      <RowTimeText time={row.due} none="No due time" />
                    </dd>
                    <dt>State</dt>
                    <dd>{row.state}</dd>
                  </>
                )}
                <dt>Owner</dt>
                <dd>
                  <OwnerCell row={row} onTake={handlers.onTake} />
                </dd>
                <dt>Days open</dt>
                <dd>{row.daysOpen}</dd>
              </dl>
            </article>
          </li>
        ))}
      </ol>
    </>
  );
}
