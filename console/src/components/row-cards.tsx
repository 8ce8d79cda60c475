/**
 * The worklist's rows as cards on a narrow screen (below NARROW_WIDTH): the
 * same content as the table, a list of follow-ups each with its facts, so
 * nothing scrolls sideways on a phone (CONTRACT §12). A card is compact (three
 * or more on a 390x844 phone's first screen, issue 58) and its link covers the
 * whole card, so a thumb anywhere on it opens the follow-up; its buttons sit in
 * a row of their own, each 44 px high.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RowView } from '../lib/row-view';
import type { Queue } from '../lib/url-state';
import { CopyButton, OwnerText, RowLink, RowTimeText, TakeButton, UrgencyText, type RowHandlers } from './row-parts';

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

const kindWords = (kind: 'redraw' | 'initial') => (kind === 'redraw' ? 'Redraw' : 'Initial');

/** A card's facts: why, state, owner and due (open) or disposition, who closed it and when (closed); the order; days open. */
function CardFacts({ row, closed }: { row: RowView; closed: boolean }) {
  const order = row.order;
  return (
    <dl class="card-facts">
      {closed ? (
        <>
          <div>
            <dt>Disposition</dt>
            <dd>{row.disposition}</dd>
          </div>
          <div>
            <dt>Closed by</dt>
            <dd>{row.closedBy}</dd>
          </div>
          <div>
            <dt>Closed</dt>
            <dd>
              <RowTimeText time={row.closed} none="Not known" />
            </dd>
          </div>
        </>
      ) : (
        <>
          <div>
            <dt>Why</dt>
            <dd class={row.why === null ? 'muted' : undefined}>{row.why ?? 'None'}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{row.state}</dd>
          </div>
          <div>
            <dt>Due</dt>
            <dd>
              <RowTimeText time={row.due} none={row.dueNone} />
            </dd>
          </div>
        </>
      )}
      <div>
        <dt>Owner</dt>
        <dd>
          <OwnerText row={row} />
        </dd>
      </div>
      <div>
        <dt>Order (for Junction)</dt>
        <dd class={order === null ? 'muted' : 'id'}>
          {order === null ? (
            'None'
          ) : (
            <span title={`${kindWords(order.kind)} order ${order.id}`}>
              <span aria-hidden="true">{order.shortId}</span>
              <span class="visually-hidden">{`${kindWords(order.kind)} order ${order.id}`}</span>
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>Days open</dt>
        <dd>{row.daysOpen}</dd>
      </div>
    </dl>
  );
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
              <p class="card-title">
                <RowLink row={row} from={from} />
                {!closed && (
                  <>
                    {' '}
                    <UrgencyText row={row} />
                  </>
                )}
              </p>
              <CardFacts row={row} closed={closed} />
              <p class="card-buttons">
                <CopyButton text={row.id} what="follow-up id" onCopy={handlers.onCopy} />
                {row.order !== null && <CopyButton text={row.order.id} what={`${row.order.kind} order id`} onCopy={handlers.onCopy} label={`Copy ${row.order.kind} order`} />}
                <TakeButton row={row} onTake={handlers.onTake} />
              </p>
            </article>
          </li>
        ))}
      </ol>
    </>
  );
}
