/** The queues as links, each with its count (Closed has none; counts may come after the rows). */
import { QUEUE_NAMES, QUEUES, routeFor, type Queue } from '../lib/url-state';
import type { Counts } from '../lib/types';

export function QueueNav({ page, current, counts }: { page: 'worklist' | 'bulk'; current: Queue; counts: Counts | null }) {
  return (
    <nav aria-label="Queues" class="queues">
      <ul>
        {QUEUES.map((queue) => {
          const count = queue === 'closed' ? undefined : counts?.counts[queue];
          return (
            <li key={queue}>
              <a href={`#${routeFor(page, { queue })}`} aria-current={queue === current ? 'page' : undefined}>
                {QUEUE_NAMES[queue]}
                {count !== undefined && <span class="count"> {count}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
