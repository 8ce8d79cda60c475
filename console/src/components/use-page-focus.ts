/**
 * What a new page gets from the shell: the keyboard focus on its h1 (CONTRACT
 * §12, on a route change, not on the first load) and the document's title.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { pageTitle, type Route } from '../lib/route';

/** Focuses the page's h1 when the route or the handle prompt changes; names the document after the route. */
export function usePageFocus(route: Route, prompting: boolean): void {
  const firstRender = useRef(true);
  const key = `${route.page}:${'id' in route ? route.id : ''}`;
  // A layout effect: it runs in the commit that draws the new page, so the heading is focused the
  // moment it appears. Preact runs a plain effect after the next frame (up to 100 ms later), and a
  // keypress or a screen reader in between lands on the old focus.
  useLayoutEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [key, prompting]);

  const title = pageTitle(route);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
