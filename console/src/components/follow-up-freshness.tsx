/** When a follow-up's page last read it, and whether the last refresh failed (CONTRACT §12: the page refreshes itself and says when). */
import { updatedWords } from '../lib/row-words';
import type { LoadedFollowUp } from './use-follow-up-load';

export function FollowUpFreshness({ loaded }: { loaded: LoadedFollowUp }) {
  if (loaded.followUp === null || loaded.updatedAt === null) return null;
  return (
    <p class="updated">
      {updatedWords(loaded.updatedAt)}
      {loaded.loadError !== null && <span class="refresh-failed">. The last refresh failed: {loaded.loadError}</span>}
    </p>
  );
}
