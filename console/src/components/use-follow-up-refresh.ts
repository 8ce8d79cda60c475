/**
 * A follow-up's page stays fresh as the worklist does (CONTRACT §12): it reads
 * the follow-up again every minute and on coming back to the tab
 * (use-refresh-tick.ts), quietly, but never while a form holds something not
 * sent yet or an action is on its way, so what a person chose is always sent
 * on the version they saw.
 */
import { useEffect } from 'preact/hooks';
import { hasUnsentInput } from '../lib/action-draft';
import type { ActionFormState } from '../lib/follow-up-action';
import type { LoadedFollowUp } from './use-follow-up-load';
import { useRefreshTick } from './use-refresh-tick';

export function useFollowUpRefresh(loaded: LoadedFollowUp, form: ActionFormState): void {
  const [tick] = useRefreshTick();
  useEffect(() => {
    if (tick === 0 || form.busy || hasUnsentInput(form.drafts, form.reference)) return;
    loaded.readAgain();
    // Only a tick reads again; the forms are read as they stand at that tick.
  }, [tick]);
}
