/** An action that failed, in words (role="alert", focused); after no answer, a way to read the follow-up again (never to send again). */
export function ActionAlert({ alert, unanswered, onReload }: { alert: string; unanswered: boolean; onReload: () => void }) {
  return (
    <div class="notice notice-danger" role="alert" id="action-alert" tabIndex={-1}>
      <p>{alert}</p>
      {unanswered && (
        <button type="button" onClick={onReload}>
          Reload the follow-up
        </button>
      )}
    </div>
  );
}
