/**
 * The shell (CONTRACT §12): hash routing, the header and skip link, the handle
 * prompt, and one page per route. Focus moves to the page's h1 on a route change.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi, type Api } from '../api';
import { parseRoute, type Route } from '../lib/route';
import { storedHandle, storeHandle } from '../storage';
import { BulkPage } from '../pages/bulk';
import { FollowUpPage } from '../pages/follow-up';
import { NotFoundPage } from '../pages/not-found';
import { RedrawsPage } from '../redraws/redraws-page';
import { ReportPage } from '../report/report-page';
import { WorklistPage } from '../pages/worklist';
import { Header } from './header';
import { HandlePrompt } from './handle-prompt';

function currentRoute(): Route {
  return parseRoute(window.location.hash);
}

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute);
  const [handle, setHandle] = useState<string | null>(storedHandle);
  const [changing, setChanging] = useState(false);
  const [api, setApi] = useState<Api | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const handleRef = useRef(handle);
  handleRef.current = handle;
  const firstRender = useRef(true);

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    createApi(window.location, () => handleRef.current).then(setApi, (error: unknown) => setFailure(error instanceof Error ? error.message : 'the console could not start'));
  }, []);

  const key = `${route.page}:${'id' in route ? route.id : ''}`;
  const prompting = handle === null || changing;
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [key, prompting]);

  useEffect(() => {
    const title = route.page === 'follow-up' ? `Follow-up ${route.id}` : route.page === 'redraws' ? 'Stale redraws' : route.page;
    document.title = `${title.charAt(0).toUpperCase()}${title.slice(1)} – Redraw tracker`;
  }, [key]);

  const navigate = useMemo(
    () => (to: string) => {
      window.location.hash = `#${to.startsWith('/') ? to : `/${to}`}`;
    },
    [],
  );

  const signIn = (chosen: string) => {
    storeHandle(chosen);
    setHandle(chosen);
    setChanging(false);
  };

  let page;
  if (failure) {
    page = (
      <>
        <h1 tabIndex={-1}>The console could not start</h1>
        <p role="alert">{failure}</p>
      </>
    );
  } else if (!api) {
    page = (
      <>
        <h1 tabIndex={-1}>Redraw tracker</h1>
        <p>Loading…</p>
      </>
    );
  } else if (prompting) {
    page = <HandlePrompt api={api} current={handle} onChosen={signIn} onCancel={handle === null ? null : () => setChanging(false)} />;
  } else {
    const props = { api, handle: handle!, get: api.get, search: route.search, navigate };
    switch (route.page) {
      case 'worklist':
        page = <WorklistPage {...props} />;
        break;
      case 'bulk':
        page = <BulkPage {...props} />;
        break;
      case 'follow-up':
        page = <FollowUpPage key={route.id} {...props} id={route.id} />;
        break;
      case 'report':
        page = <ReportPage get={api.get} search={route.search} navigate={navigate} />;
        break;
      case 'redraws':
        page = <RedrawsPage get={api.get} search={route.search} navigate={navigate} />;
        break;
      default:
        page = <NotFoundPage />;
    }
  }

  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to main content
      </a>
      <Header route={route} handle={prompting ? null : handle} onChange={() => setChanging(true)} />
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
