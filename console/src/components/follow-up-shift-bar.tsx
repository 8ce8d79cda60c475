/**
 * The top of a follow-up's page while working a shift (CONTRACT §12): the
 * answer to the last action (role="status"), "Take it" wherever nobody owns it,
 * "Next in this queue" (the next that is the person's or nobody's, issue 58) and
 * "Next, anyone's" when that is another, both keeping the queue's search.
 * Below about 600 px it sticks to the top of the screen as an action bar.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Get } from '../lib/http';
import { nextSkippingOthers, shortId } from '../lib/next-in-queue';
import { followUpHref } from '../lib/route';
import { asFollowUpPage } from '../lib/types';
import { followUpsPathFrom, worklistSearch, type WorklistState } from '../lib/url-state';

export interface QueueNext {
  /** Still reading the queue. */
  loading: boolean;
  /** The next follow-up that is the person's or nobody's, or null at the end of the queue (or when the queue could not be read: `failed`). */
  next: string | null;
  /** The next follow-up whoever owns it, or null at the end of the queue. */
  anyone: string | null;
  failed: boolean;
}

/**
 * Reads the queue the page was opened from (GET /follow-ups with its filters)
 * again whenever `reload` changes (after each action), and finds the follow-up after
 * `id`: the one after it while it is in the queue, else the one now where it stood;
 * the next that is `me`'s or nobody's, and the next whoever owns it.
 */
export function useNextInQueue(get: Get, from: WorklistState, id: string, reload: number, me: string): QueueNext {
  const stoodAt = useRef<number | null>(null);
  const [state, setState] = useState<QueueNext>({ loading: true, next: null, anyone: null, failed: false });
  const path = followUpsPathFrom(from, null, 100);
  useEffect(() => {
    let live = true;
    const read = async () => {
      const page = asFollowUpPage(await get(path));
      const found = nextSkippingOthers(page.items, id, stoodAt.current, me);
      stoodAt.current = found.index;
      let { next, anyone } = found;
      // At the end of this page of the queue: the next page's.
      if (next === null && page.next_cursor !== null) {
        const more = nextSkippingOthers(asFollowUpPage(await get(followUpsPathFrom(from, page.next_cursor, 100))).items, id, null, me);
        next = more.next;
        anyone ??= more.anyone;
      }
      if (live) setState({ loading: false, next, anyone, failed: false });
    };
    read().catch(() => {
      if (live) setState({ loading: false, next: null, anyone: null, failed: true });
    });
    return () => {
      live = false;
    };
    // `from` is read through `path` (its filters); the cursor of a further page is the answer's own.
  }, [get, path, id, reload, me]);
  return state;
}

interface ShiftBarProps {
  message: string;
  queueName: string;
  from: WorklistState;
  queue: QueueNext;
  /** "Take it" is offered (nobody owns it, it is open). */
  takeIt: boolean;
  busy: boolean;
  onTakeIt(): void;
}

export function FollowUpShiftBar({ message, queueName, from, queue, takeIt, busy, onTakeIt }: ShiftBarProps) {
  const search = worklistSearch(from);
  return (
    <div class="shift-bar" id="action-result" tabIndex={-1} aria-label="Take it, the last action’s answer and the next in this queue" role="group">
      <p role="status" class="status">
        {message}
      </p>
      <div class="button-row">
        {takeIt && (
          <button type="button" id="take-it" aria-disabled={busy ? 'true' : undefined} onClick={onTakeIt}>
            Take it
          </button>
        )}
        {queue.loading ? (
          <span class="muted">Reading {queueName}…</span>
        ) : queue.next !== null ? (
          <a class="button-link" id="next-in-queue" href={followUpHref(queue.next, search)} aria-label={`Next in this queue: ${queue.next}`}>
            Next in this queue: {shortId(queue.next)}
          </a>
        ) : (
          <span id="end-of-queue">{endWords(queue, queueName)}</span>
        )}
        {!queue.loading && queue.anyone !== null && queue.anyone !== queue.next && (
          <a class="button-link secondary-link" id="next-anyone" href={followUpHref(queue.anyone, search)} aria-label={`Next, anyone's: ${queue.anyone}`}>
            Next, anyone's: {shortId(queue.anyone)}
          </a>
        )}
      </div>
    </div>
  );
}

/** Why there is no "Next in this queue": the queue could not be read, only others' are left, or it ends here. */
function endWords(queue: QueueNext, queueName: string): string {
  if (queue.failed) return `${queueName} could not be read: go back to it for the next.`;
  if (queue.anyone !== null) return `No more in ${queueName} that are yours or nobody's.`;
  return `This is the end of this queue (${queueName}).`;
}
