/** A read still loading (role="status") or failed (role="alert"), in words; nothing once it is done. */
import type { Loaded } from '../lib/load';

export function LoadState({ loaded, loading, failed }: { loaded: Loaded<unknown>; loading: string; failed: string }) {
  if (loaded.kind === 'loading') {
    return (
      <p role="status" class="loading">
        {loading}
      </p>
    );
  }
  if (loaded.kind === 'error') {
    return (
      <p role="alert" class="error">
        {failed}: {loaded.message}
      </p>
    );
  }
  return null;
}
