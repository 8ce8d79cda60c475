/**
 * The shell (CONTRACT §12): hash routing, the header and skip link, and one
 * page per route. Locally it asks for a handle; on AWS (config.json has `auth`)
 * it signs the person in with the managed login and names them by GET /me.
 * Focus moves to the page's h1 on a route change.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi, handleAuth, loadSettings, sessionAuth, type Api } from './lib/api';
import { callbackOf } from './lib/sign-in';
import { Session, SignInError } from './lib/session';
import { pageTitle, parseRoute, type Route } from './lib/route';
import { storedHandle, storeHandle, tabStorage } from './lib/storage';
import { BulkPage } from './pages/bulk';
import { FollowUpPage } from './pages/follow-up';
import { NotFoundPage } from './pages/not-found';
import { RedrawsPage } from './redraws/redraws-page';
import { ReportPage } from './report/report-page';
import { WorklistPage } from './pages/worklist';
import { FindBox } from './components/find-box';
import { Header } from './components/header';
import { HandlePrompt } from './components/handle-prompt';
import { SignInPage, type SignedOutReason } from './components/sign-in-page';

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

  // On AWS: the session, who /me says the person is, and why they are not signed in.
  const [session, setSession] = useState<Session | null>(null);
  const [signedOut, setSignedOut] = useState<SignedOutReason | null>(null);
  const [actor, setActor] = useState<string | null>(null);

  useEffect(() => {
    start().catch((error: unknown) => setFailure(error instanceof Error ? error.message : 'the console could not start'));
    async function start(): Promise<void> {
      const settings = await loadSettings(window.location);
      if (settings.auth === null) {
        setApi(createApi(settings, window.location, handleAuth(() => handleRef.current)));
        return;
      }
      const signIn = new Session(settings.auth, { storage: tabStorage(), fetch: (input, init) => fetch(input, init), now: () => Date.now(), navigate: (url) => window.location.assign(url) });
      setSession(signIn);
      const callback = callbackOf(window.location.search);
      if (callback !== null) {
        // The code leaves the address bar (and the tab's history) before it is traded.
        const page = new URL(settings.auth.redirectUri).pathname;
        window.history.replaceState(null, '', page);
        try {
          const returnTo = await signIn.complete(callback);
          window.history.replaceState(null, '', `${page}${returnTo}`);
          setRoute(currentRoute());
        } catch (error) {
          setSignedOut({ kind: 'problem', message: error instanceof SignInError ? error.message : 'The sign-in did not finish.' });
          return;
        }
      } else if (!signIn.signedIn) {
        if (signIn.signedOut) {
          setSignedOut({ kind: 'signed-out' });
          return;
        }
        setSignedOut({ kind: 'leaving' });
        await signIn.begin(window.location.hash);
        return;
      }
      const signedIn = createApi(settings, window.location, sessionAuth(signIn, () => setSignedOut({ kind: 'ended' })));
      const me = await signedIn.get('/me');
      const named = typeof me === 'object' && me !== null && 'actor' in me && typeof me.actor === 'string' ? me.actor : null;
      if (named === null) throw new Error('GET /me did not name you');
      setActor(named);
      setApi(signedIn);
    }
  }, []);

  const key = `${route.page}:${'id' in route ? route.id : ''}`;
  // Who the record will name: on AWS the signed-in person (/me), locally the handle typed.
  const who = session !== null ? actor : handle;
  const prompting = session === null && (handle === null || changing);
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
  if (signedOut !== null && session !== null) {
    page = <SignInPage reason={signedOut} onSignIn={() => void session.begin(window.location.hash)} />;
  } else if (failure) {
    page = (
      <>
        <h1 tabIndex={-1}>The console could not start</h1>
        <p role="alert">{failure}</p>
      </>
    );
  } else if (!api || who === null && !prompting) {
    page = (
      <>
        <h1 tabIndex={-1}>Redraw tracker</h1>
        <p>Loading…</p>
      </>
    );
  } else if (prompting) {
    page = <HandlePrompt api={api} current={handle} onChosen={signIn} onCancel={handle === null ? null : () => setChanging(false)} />;
  } else {
    const props = { api, handle: who!, get: api.get, search: route.search, navigate };
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
      <Header
        route={route}
        handle={prompting || signedOut !== null ? null : who}
        {...(session === null ? { onChange: () => setChanging(true) } : { onSignOut: () => void session.signOut() })}
      >
        {api !== null && who !== null && !prompting && signedOut === null && failure === null && <FindBox get={api.get} navigate={navigate} />}
      </Header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
