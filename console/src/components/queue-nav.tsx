/**
 * The queues as links, each with its count (Closed has none; counts may come
 * after the rows). An Owner filter goes along to the queues it can narrow; Mine
 * and Unassigned drop it (they are the caller's, or nobody's), and the nav says
 * so under it once that queue opens (issue 72: any queue dropped it, silently).
 * "EHR needs you" (CONTRACT §12) follows them, with its count, while any open
 * follow-up's EHR work needs a person or the filter is on: all open ones with it.
 */
import { useState } from 'preact/hooks';
import { filtersFor, ownerDroppedWords, QUEUE_NAMES, QUEUES, routeFor, type Queue } from '../lib/url-state';
import type { Counts } from '../lib/types';

export function QueueNav({ page, current, counts, owner, ehr = false }: { page: 'worklist' | 'bulk'; current: Queue; counts: Counts | null; owner?: string | undefined; ehr?: boolean }) {
  const [dropped, setDropped] = useState<{ queue: Queue; words: string } | null>(null);
  return (
    <>
      <nav aria-label="Queues" class="queues">
        <ul>
          {QUEUES.map((queue) => {
            const count = queue === 'closed' ? undefined : counts?.counts[queue];
            const keeps = owner !== undefined && filtersFor(queue).owner;
            const drops = owner !== undefined && !keeps;
            return (
              <li key={queue}>
                <a
                  href={`#${routeFor(page, keeps ? { queue, owner } : { queue })}`}
                  aria-current={queue === current && !ehr ? 'page' : undefined}
                  onClick={() => setDropped(drops ? { queue, words: ownerDroppedWords(queue, owner) } : null)}
                >
                  {QUEUE_NAMES[queue]}
                  {count !== undefined && <span class="count"> {count}</span>}
                </a>
              </li>
            );
          })}
          {(ehr || (counts?.ehr_needs_you ?? 0) > 0) && (
            <li class="ehr-needs-you">
              <a href={`#${routeFor(page, { queue: 'open', ehr: 'needs_you' })}`} aria-current={ehr ? 'page' : undefined}>
                EHR needs you
                {counts?.ehr_needs_you !== undefined && <span class="count"> {counts.ehr_needs_you}</span>}
              </a>
            </li>
          )}
        </ul>
      </nav>
      <p role="status" class="status queue-notice">
        {dropped !== null && dropped.queue === current ? dropped.words : ''}
      </p>
    </>
  );
}
