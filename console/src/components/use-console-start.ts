/**
 * How the console starts (CONTRACT §12): config.json read, then locally an API
 * client that sends the handle; on AWS (config.json has `auth`) the person
 * signed in with the managed login (a sign-in coming back completed, a tab
 * without one sent to sign in) and named by GET /me.
 */
import { useEffect, useState } from 'preact/hooks';
import { createApi, handleAuth, loadSettings, sessionAuth, type Api } from '../lib/api';
import { Session, SignInError } from '../lib/session';
import { callbackOf, type AuthSettings } from '../lib/sign-in';
import { tabStorage } from '../lib/storage';
import type { SignedOutReason } from './sign-in-page';

export interface ConsoleStart {
  /** The API client once the console can call it. */
  api: Api | null;
  /** On AWS: the session; locally null. */
  session: Session | null;
  /** On AWS: why the person is not signed in. */
  signedOut: SignedOutReason | null;
  /** On AWS: who /me says the person is. */
  actor: string | null;
  /** Why the console could not start. */
  failure: string | null;
}

type Patch = (part: Partial<ConsoleStart>) => void;

/** Starts the console once; `handle` names the person locally, `onReturned` runs when a sign-in came back to another route. */
export function useConsoleStart(handle: () => string | null, onReturned: () => void): ConsoleStart {
  const [start, setStart] = useState<ConsoleStart>({ api: null, session: null, signedOut: null, actor: null, failure: null });
  useEffect(() => {
    const patch: Patch = (part) => setStart((was) => ({ ...was, ...part }));
    startConsole(handle, onReturned, patch).catch((error: unknown) => patch({ failure: error instanceof Error ? error.message : 'the console could not start' }));
  }, []);
  return start;
}

async function startConsole(handle: () => string | null, onReturned: () => void, patch: Patch): Promise<void> {
  const settings = await loadSettings(window.location);
  if (settings.auth === null) {
    patch({ api: createApi(settings, window.location, handleAuth(handle)) });
    return;
  }
  const session = new Session(settings.auth, { storage: tabStorage(), fetch: (input, init) => fetch(input, init), now: () => Date.now(), navigate: (url) => window.location.assign(url) });
  patch({ session });
  if (!(await signedInHere(session, settings.auth, onReturned, patch))) return;
  const signedIn = createApi(settings, window.location, sessionAuth(session, () => patch({ signedOut: { kind: 'ended' } })));
  const me = await signedIn.get('/me');
  const named = typeof me === 'object' && me !== null && 'actor' in me && typeof me.actor === 'string' ? me.actor : null;
  if (named === null) throw new Error('GET /me did not name you');
  patch({ actor: named, api: signedIn });
}

/**
 * Whether this tab is signed in: a sign-in coming back is completed first; a
 * tab signed out stays so; one without a session leaves to sign in. When it
 * is not, the reason is patched in and false returned.
 */
async function signedInHere(session: Session, auth: AuthSettings, onReturned: () => void, patch: Patch): Promise<boolean> {
  const callback = callbackOf(window.location.search);
  if (callback !== null) {
    // The code leaves the address bar (and the tab's history) before it is traded.
    const page = new URL(auth.redirectUri).pathname;
    window.history.replaceState(null, '', page);
    try {
      const returnTo = await session.complete(callback);
      window.history.replaceState(null, '', `${page}${returnTo}`);
      onReturned();
      return true;
    } catch (error) {
      patch({ signedOut: { kind: 'problem', message: error instanceof SignInError ? error.message : 'The sign-in did not finish.' } });
      return false;
    }
  }
  if (session.signedIn) return true;
  if (session.signedOut) {
    patch({ signedOut: { kind: 'signed-out' } });
    return false;
  }
  patch({ signedOut: { kind: 'leaving' } });
  await session.begin(window.location.hash);
  return false;
}
