/** The worklist stays fresh (CONTRACT §12): a tick that moves on focus, on the tab becoming visible and every minute. */
import { useEffect, useState } from 'preact/hooks';

/** How often the worklist reads its rows and counts again while open. */
const REFRESH_MS = 60_000;
/** A focus and a visibilitychange of one return to the tab refresh once. */
const FOCUS_COALESCE_MS = 1_000;

/** Reads again on focus, on the tab becoming visible and every minute; `refresh` for the Refresh button and after an action. */
export function useRefreshTick(): [number, () => void] {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let lastFocus = 0;
    const refresh = () => setTick((n) => n + 1);
    const onFocus = () => {
      if (document.visibilityState !== 'visible' || Date.now() - lastFocus < FOCUS_COALESCE_MS) return;
      lastFocus = Date.now();
      refresh();
    };
    const timer = window.setInterval(refresh, REFRESH_MS);
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, []);
  return [tick, () => setTick((n) => n + 1)];
}
