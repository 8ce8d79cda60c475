/**
 * The shell (CONTRACT §12): hash routing, the header and skip link, and one
 * page per route. Locally it asks for a handle; on AWS (config.json has `auth`)
 * it signs the person in with the managed login and names them by GET /me
 * (components/use-console-start.ts). Focus moves to the page's h1 on a route
 * change. The client remembers the follow-ups every answer holds, for the find
 * box's short ids (lib/short-id.ts).
 */
import { useMemo } from 'preact/hooks';
import type { Api } from './lib/api';
import { rememberingApi } from './lib/short-id';
import type { Route } from './lib/route';
import { FindBox } from './components/find-box';
import { HandlePrompt } from './components/handle-prompt';
import { Header } from './components/header';
import { SignInPage } from './components/sign-in-page';
import { SkipLink } from './components/skip-link';
import { useConsoleStart, type ConsoleStart } from './components/use-console-start';
import { useHandle, type LocalHandle } from './components/use-handle';
import { lazyPage } from './components/lazy-page';
import { usePageFocus } from './components/use-page-focus';
import { navigate, useRoute } from './components/use-route';
import { FollowUpPage } from './pages/follow-up';
import { NotFoundPage } from './pages/not-found';
import { ShortIdPage } from './pages/short-id';
import { WorklistPage } from './pages/worklist';

// The pages a shift reaches less often are chunks of their own, fetched on the first visit
// (lib/console-build.ts): the worklist and the follow-up, the shift's first screens, load at once.
const BulkPage = lazyPage(async () => (await import('./pages/bulk')).BulkPage, () => 'Bulk');
const ReportPage = lazyPage(async () => (await import('./report/report-page')).ReportPage, () => 'Redraw report');
const RedrawsPage = lazyPage(async () => (await import('./redraws/redraws-page')).RedrawsPage, (search) => (search.get('state') === 'open' ? 'Open redraws' : 'Stale redraws'));

/** Which page a route opens (its page, and the follow-up's id): the find box starts afresh when it changes. */
const pageKey = (route: Route) => `${route.page}:${route.page === 'follow-up' ? route.id : route.page === 'short-id' ? route.short : ''}`;

export function App() {
  const [route, reread] = useRoute();
  const local = useHandle();
  const start = useConsoleStart(local.current, reread);
  const { session, signedOut, failure } = start;
  // Every answer's follow-ups are remembered for the find box's short ids (lib/short-id.ts): one client for the whole tab.
  const api = useMemo(() => (start.api === null ? null : rememberingApi(start.api)), [start.api]);
  // Who the record will name: on AWS the signed-in person (/me), locally the handle typed.
  const who = session !== null ? start.actor : local.handle;
  const prompting = session === null && (local.handle === null || local.changing);
  usePageFocus(route, prompting);

  return (
    <>
      <SkipLink />
      <Header
        route={route}
        handle={prompting || signedOut !== null ? null : who}
        {...(session === null ? { onChange: () => local.setChanging(true) } : { onSignOut: () => void session.signOut() })}
      >
        {api !== null && who !== null && !prompting && signedOut === null && failure === null && <FindBox get={api.get} navigate={navigate} page={pageKey(route)} />}
      </Header>
      <main id="main" tabIndex={-1}>
        <ShellPage route={route} start={{ ...start, api }} local={local} who={who} prompting={prompting} />
      </main>
    </>
  );
}

/** The page the shell shows: why it is not signed in or could not start, the handle prompt, or the route's page. */
function ShellPage({ route, start, local, who, prompting }: { route: Route; start: ConsoleStart; local: LocalHandle; who: string | null; prompting: boolean }) {
  const { api, session, signedOut, failure } = start;
  if (signedOut !== null && session !== null) return <SignInPage reason={signedOut} onSignIn={() => void session.begin(window.location.hash)} />;
  if (failure) {
    return (
      <>
        <h1 tabIndex={-1}>The console could not start</h1>
        <p role="alert">{failure}</p>
      </>
    );
  }
  if (!api || (who === null && !prompting)) {
    return (
      <>
        <h1 tabIndex={-1}>Redraw tracker</h1>
        <p>Loading…</p>
      </>
    );
  }
  if (prompting || who === null) {
    return <HandlePrompt api={api} current={local.handle} onChosen={local.choose} onCancel={local.handle === null ? null : () => local.setChanging(false)} />;
  }
  return <RoutedPage route={route} api={api} who={who} />;
}

/** The page of a route. */
function RoutedPage({ route, api, who }: { route: Route; api: Api; who: string }) {
  const props = { api, handle: who, get: api.get, search: route.search, navigate };
  switch (route.page) {
    case 'worklist':
      return <WorklistPage {...props} />;
    case 'bulk':
      return <BulkPage {...props} />;
    case 'follow-up':
      return <FollowUpPage key={route.id} {...props} id={route.id} />;
    case 'report':
      return <ReportPage get={api.get} search={route.search} navigate={navigate} />;
    case 'redraws':
      return <RedrawsPage get={api.get} search={route.search} navigate={navigate} />;
    case 'short-id':
      return <ShortIdPage key={route.short} get={api.get} short={route.short} search={route.search} />;
    default:
      return <NotFoundPage followUp={route.followUp === true} />;
  }
}
