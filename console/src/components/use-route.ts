/**
 * The shell's hash routing (CONTRACT §12): the route of the address, read
 * again on each hashchange, and a way to go to another route.
 */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from '../lib/route';

function currentRoute(): Route {
  return parseRoute(window.location.hash);
}

/** The current route, and `reread` for when the address changed without a hashchange (a sign-in coming back). */
export function useRoute(): [Route, () => void] {
  const [route, setRoute] = useState<Route>(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [route, () => setRoute(currentRoute())];
}

/** Goes to another hash route, e.g. navigate('/worklist?queue=open&age=8_14'). */
export function navigate(to: string): void {
  window.location.hash = `#${to.startsWith('/') ? to : `/${to}`}`;
}
