/**
 * A follow-up's page stays fresh (CONTRACT §12): every STAMP_CHECK_MS it reads
 * the follow-up's stamp (GET /follow-ups/{id}/stamp, one strongly consistent
 * read of the item) and reads the follow-up again when the stamp is not the one
 * its last load came with, so that a change made anywhere (an action
 * elsewhere, the EHR, the tracker, a write to the EHR confirmed) shows within
 * 10 seconds; and it reads it again every minute and on coming back to the tab
 * (use-refresh-tick.ts: what "updated" counts from). Quietly, but never while a
 * form holds something not sent yet or an action is on its way, so what a
 * person chose is always sent on the version they saw; nor while the tab is hidden.
 */
import { useEffect, useRef } from 'preact/hooks';
import { hasUnsentInput } from '../lib/action-draft';
import type { Api } from '../lib/api';
import type { ActionFormState } from '../lib/follow-up-action';
import type { LoadedFollowUp } from './use-follow-up-load';
import { useRefreshTick } from './use-refresh-tick';

/**
 * How often an open follow-up page checks its stamp: a change shows within this and the time of two
 * reads (the check's and the load's), which leaves 4 s of §12's 10 for a slow network or a busy tab.
 */
export const STAMP_CHECK_MS = 6_000;

export function useFollowUpRefresh(api: Api, loaded: LoadedFollowUp, form: ActionFormState): void {
  const [tick] = useRefreshTick();
  const quiet = () => !form.busy && !hasUnsentInput(form.drafts, form.reference);
  useEffect(() => {
    if (tick === 0 || !quiet()) return;
    loaded.readAgain();
    // Only a tick reads again; the forms are read as they stand at that tick.
  }, [tick]);
  // The newest of what the interval reads (it is set up once per follow-up and stamp).
  const latest = useRef({ loaded, quiet });
  latest.current = { loaded, quiet };
  const id = loaded.followUp?.id ?? null;
  useEffect(() => {
    if (id === null || loaded.stamp === null) return undefined;
    const path = `/follow-ups/${encodeURIComponent(id)}/stamp`;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      api.get(path).then(
        (body) => {
          const { loaded: now, quiet: calm } = latest.current;
          const stamp = (body as { stamp?: unknown } | null)?.stamp;
          if (typeof stamp === 'string' && stamp !== now.stamp && calm()) now.readAgain();
        },
        // A failed check changes nothing: the next one, or the minute's read, says what failed.
        () => undefined,
      );
    }, STAMP_CHECK_MS);
    return () => window.clearInterval(timer);
  }, [api, id, loaded.stamp]);
}
