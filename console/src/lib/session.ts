/**
 * The signed-in session on AWS (CONTRACT §12, issue 35): leaving for the
 * managed login with a PKCE challenge, trading the code for tokens when the
 * person comes back, renewing the access token before it expires, and signing
 * out (the refresh token revoked, the sign-in page's session ended).
 *
 * Tokens live in this tab's sessionStorage (a reload keeps the session; closing
 * the tab ends it; another tab signs in on its own), never in localStorage, and
 * the ID token is not kept at all. Without sessionStorage (some private modes)
 * they live in memory only. The page's CSP lets scripts come from the console's
 * own origin alone, and its requests go to that origin and the sign-in domain.
 */
import {
  authorizeUrl,
  codeChallenge,
  codeExchangeForm,
  logoutUrl,
  matchesPending,
  needsRenewal,
  pendingOf,
  randomToken,
  refreshForm,
  revokeForm,
  revokeUrl,
  signInProblem,
  storedTokensOf,
  tokensOf,
  tokenUrl,
  type AuthSettings,
  type Callback,
  type PendingSignIn,
  type Tokens,
} from './sign-in';

const PENDING_KEY = 'redraw-tracker.sign-in';
const TOKENS_KEY = 'redraw-tracker.session';
const SIGNED_OUT_KEY = 'redraw-tracker.signed-out';
/** How long a request to the sign-in service may take. */
const SIGN_IN_TIMEOUT_MS = 15_000;

/** The part of Storage the session uses (sessionStorage in the page; a Map in unit tests). */
export interface TabStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionDeps {
  storage: TabStorage | null;
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  /** Leaves the console for another page (the sign-in page, its sign-out). */
  navigate: (url: string) => void;
}

/** A sign-in that could not finish, in words for the person. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
  /** Whether the sign-in service refused (4xx) rather than failed or went unanswered. */
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
  }
}

export class Session {
  private tokens: Tokens | null;
  private renewing: Promise<boolean> | null = null;
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly auth: AuthSettings,
    private readonly deps: SessionDeps,
  ) {
    this.tokens = storedTokensOf(this.readJson(TOKENS_KEY));
  }

  /** Whether this tab holds tokens (possibly expired: the first request renews them). */
  get signedIn(): boolean {
    return this.tokens !== null;
  }

  /** The access token held now, as it is (no renewal): a request sent with another one was sent before a renewal. */
  get heldToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  /** Whether the person signed out in this tab (the page then waits for them to sign in again). */
  get signedOut(): boolean {
    return this.read(SIGNED_OUT_KEY) === 'yes';
  }

  /** Leaves for the managed login, to come back to `returnTo` (a hash route). */
  async begin(returnTo: string): Promise<void> {
    const pending: PendingSignIn = { state: randomToken(), verifier: randomToken(), returnTo, startedAt: this.deps.now() };
    const challenge = await codeChallenge(pending.verifier);
    this.write(PENDING_KEY, JSON.stringify(pending));
    this.remove(SIGNED_OUT_KEY);
    this.deps.navigate(authorizeUrl(this.auth, { state: pending.state, challenge }));
  }

  /**
   * Completes the sign-in the person comes back from: the state must be the
   * pending one's, the code is traded once. Gives the hash route to return to;
   * throws SignInError in words otherwise (nothing is kept then).
   */
  async complete(callback: Callback): Promise<string> {
    const pending = pendingOf(this.readJson(PENDING_KEY));
    this.remove(PENDING_KEY);
    if (callback.kind === 'error') throw new SignInError(signInProblem(callback.error));
    if (!matchesPending(callback, pending, this.deps.now())) {
      throw new SignInError('This sign-in link is not one this tab started, or it is more than 10 minutes old.');
    }
    const answer = await this.tokenRequest(codeExchangeForm(this.auth, callback.code, pending.verifier));
    this.keep(tokensOf(answer, this.deps.now()));
    return pending.returnTo;
  }

  /**
   * The access token to send, renewed first when it is about to expire; null
   * when the session is over (no tokens, or the renewal was refused) or the
   * renewal went unanswered (then `signedIn` stays true).
   */
  async accessToken(): Promise<string | null> {
    if (this.tokens === null) return null;
    if (needsRenewal(this.tokens, this.deps.now()) && !(await this.renew())) {
      // Unanswered: a token with seconds left still goes; refused: the session is over.
      return this.tokens !== null && this.tokens.expiresAt > this.deps.now() ? this.tokens.accessToken : null;
    }
    return this.tokens?.accessToken ?? null;
  }

  /**
   * Renews the access token with the refresh token; one renewal at a time
   * (concurrent requests wait for the same one). False, with the session
   * forgotten, when there is nothing to renew with or it is refused.
   */
  renew(): Promise<boolean> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<boolean> {
    const held = this.tokens?.refreshToken ?? null;
    if (held === null) {
      this.forget();
      return false;
    }
    try {
      this.keep(tokensOf(await this.tokenRequest(refreshForm(this.auth, held)), this.deps.now(), held));
      return true;
    } catch (error) {
      // Refused (revoked, expired): the session is over. Unreachable: keep the tokens, the next request tries again.
      if (error instanceof SignInError && error.refused) this.forget();
      return false;
    }
  }

  /**
   * Signs out: revokes the refresh token (and the tokens issued with it) at the
   * sign-in service, forgets every token, and leaves for the sign-in page's
   * sign-out, which comes back to the console signed out. A revocation that
   * fails does not keep anyone signed in here.
   */
  async signOut(): Promise<void> {
    const held = this.tokens?.refreshToken ?? null;
    this.forget();
    this.write(SIGNED_OUT_KEY, 'yes');
    if (held !== null) {
      try {
        await this.deps.fetch(revokeUrl(this.auth), this.formRequest(revokeForm(this.auth, held)));
      } catch {
        // The refresh token expires on its own (the app client's refresh validity).
      }
    }
    this.deps.navigate(logoutUrl(this.auth));
  }

  /** Forgets the tokens (an answer of 401 that a renewal could not mend, or a sign-out). */
  forget(): void {
    this.tokens = null;
    this.remove(TOKENS_KEY);
  }

  private keep(tokens: Tokens): void {
    this.tokens = tokens;
    this.write(TOKENS_KEY, JSON.stringify(tokens));
  }

  private formRequest(form: URLSearchParams): RequestInit {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      credentials: 'omit',
      redirect: 'error',
      signal: AbortSignal.timeout(SIGN_IN_TIMEOUT_MS),
    };
  }

  /** POSTs a form to the token endpoint; its JSON on 200, a SignInError in words otherwise. */
  private async tokenRequest(form: URLSearchParams): Promise<unknown> {
    let response: Response;
    try {
      response = await this.deps.fetch(tokenUrl(this.auth), this.formRequest(form));
    } catch {
      throw new SignInError('The sign-in service did not answer. Check the connection and try again.');
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: said below by status
    }
    if (response.ok) return body;
    const code = typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : `http_${response.status}`;
    throw new SignInError(signInProblem(code), response.status >= 400 && response.status < 500);
  }

  private read(key: string): string | null {
    return this.deps.storage === null ? (this.memory.get(key) ?? null) : this.deps.storage.getItem(key);
  }

  private readJson(key: string): unknown {
    const text = this.read(key);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    if (this.deps.storage === null) this.memory.set(key, value);
    else this.deps.storage.setItem(key, value);
  }

  private remove(key: string): void {
    if (this.deps.storage === null) this.memory.delete(key);
    else this.deps.storage.removeItem(key);
  }
}
