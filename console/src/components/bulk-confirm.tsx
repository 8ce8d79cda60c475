/** Bulk's question before a Close (CONTRACT §12), naming how many and the disposition, or before another action on more than 5 rows (issue 72); it takes the focus when it appears. */
import type { Ref } from 'preact';

export function BulkConfirm({ question, closing, confirmRef, onConfirm, onCancel }: { question: string; closing: boolean; confirmRef: Ref<HTMLDivElement>; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div class="notice notice-warning bulk-confirm" role="group" aria-labelledby="bulk-confirm-question" tabIndex={-1} ref={confirmRef}>
      <h2 id="bulk-confirm-question">{question}</h2>
      <p>Nothing is {closing ? 'closed' : 'sent'} until you confirm. A follow-up that changed since you loaded this page is left as it is.</p>
      <div class="button-row">
        <button type="button" onClick={onConfirm}>
          Confirm
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
