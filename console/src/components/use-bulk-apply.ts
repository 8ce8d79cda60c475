/**
 * Bulk's Apply (CONTRACT §12): what is missing goes to the error summary; a
 * Close, or another action on more than 5 rows, asks first (its question takes
 * the focus), Cancel sends nothing and Confirm sends it; any other action runs
 * at once (lib/bulk-apply.ts). When a run ends the focus goes to its summary,
 * scrolled into view (issue 72: it dropped to the body, the summary 3,474 px
 * above a phone's view).
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Api } from '../lib/api';
import { applyBulk } from '../lib/bulk-apply';
import { bulkCheck, type BulkEvent, type BulkState } from '../lib/bulk-state';
import { browserZone } from '../lib/time';
import type { FollowUp } from '../lib/types';

const realSleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

export function useBulkApply(api: Api, handle: string, bulk: BulkState, dispatch: (event: BulkEvent) => void, items: readonly FollowUp[]) {
  const confirmRef = useRef<HTMLDivElement>(null);
  const applyRef = useRef<HTMLButtonElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const { confirming, running } = bulk;
  const ran = useRef(false);

  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (running) ran.current = true;
    else if (ran.current) {
      ran.current = false;
      summaryRef.current?.focus({ preventScroll: true });
      summaryRef.current?.scrollIntoView({ block: 'center' });
    }
  }, [running]);

  const apply = async (event: Event) => {
    event.preventDefault();
    if (running) return;
    const chosen = items.filter((item) => bulk.selected.has(item.id));
    const checked = bulkCheck(chosen.length, bulk.action, bulk.drafts, new Date(), browserZone());
    if ('errors' in checked) {
      dispatch({ type: 'invalid', errors: checked.errors });
      window.setTimeout(() => document.getElementById('error-summary')?.focus(), 0);
    } else if (checked.question !== null) {
      dispatch({ type: 'ask', confirming: { body: checked.body, ids: chosen.map((row) => row.id), question: checked.question } });
    } else {
      await applyBulk(api, handle, checked.body, chosen, dispatch, realSleep);
    }
  };

  const confirm = async () => {
    if (confirming === null || running) return;
    const rows = items.filter((row) => confirming.ids.includes(row.id));
    applyRef.current?.focus();
    await applyBulk(api, handle, confirming.body, rows, dispatch, realSleep);
  };

  const cancel = () => {
    dispatch({ type: 'cancel' });
    applyRef.current?.focus();
  };

  return { confirmRef, applyRef, summaryRef, apply, confirm, cancel };
}
