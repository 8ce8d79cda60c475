/**
 * A page whose code is a chunk of its own (lib/console-build.ts splits the
 * console), fetched the first time the page is opened and kept for the tab.
 * Meanwhile it shows the page's heading and "Loading the page…" (role="status");
 * if the chunk cannot be fetched, says so (role="alert") with a Reload button:
 * a browser keeps a failed module import for the document, so only a new
 * document fetches it again (the route is in the hash, the sign-in in storage).
 * The shell focuses the heading on a route change (use-page-focus.ts); when the
 * page replaces it, the focus goes to the page's own h1, so it is never lost.
 */
import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export function lazyPage<P extends { search: URLSearchParams }>(load: () => Promise<ComponentType<P>>, heading: (search: URLSearchParams) => string): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return function LazyPage(props: P) {
    // A function in state must be set through an updater, or Preact would call it.
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    const placeholder = useRef<HTMLHeadingElement>(null);
    const refocus = useRef(false);
    useEffect(() => {
      if (Page !== null) return;
      let live = true;
      (loading ??= load()).then(
        (page) => {
          loaded = page;
          if (!live) return;
          refocus.current = document.activeElement === placeholder.current;
          setPage(() => page);
        },
        () => {
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    useLayoutEffect(() => {
      if (Page === null || !refocus.current) return;
      refocus.current = false;
      document.querySelector<HTMLElement>('main h1')?.focus();
    }, [Page]);

    if (Page !== null) return <Page {...props} />;
    return (
      <>
        <h1 tabIndex={-1} ref={placeholder}>
          {heading(props.search)}
        </h1>
        {failed ? (
          <p role="alert" class="error">
            This page could not be loaded. Check the connection, then{' '}
            <button type="button" onClick={() => window.location.reload()}>
              reload the console
            </button>
          </p>
        ) : (
          <p role="status" class="loading">
            Loading the page…
          </p>
        )}
      </>
    );
  };
}

/**
 * A part of a page whose code is a chunk of its own (the booking panel), as
 * lazyPage for a page: fetched on first use (or ahead, by `preload`), kept for
 * the tab; meanwhile "Loading <what>…" (role="status"); if it cannot be
 * fetched, says so with a Reload button. The part takes the focus itself once drawn.
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>, what: string): ComponentType<P> & { preload(): void } {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const fetchIt = () => (loading ??= load().then((part) => (loaded = part)));
  function LazyPart(props: P) {
    const [Part, setPart] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Part !== null) return;
      let live = true;
      fetchIt().then(
        (part) => live && setPart(() => part),
        () => {
          loading = null;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (Part !== null) return <Part {...props} />;
    return failed ? (
      <p role="alert" class="error">
        {`The code of ${what} could not be loaded. Check the connection, then `}
        <button type="button" onClick={() => window.location.reload()}>
          reload the console
        </button>
      </p>
    ) : (
      <p role="status" class="loading">
        Loading {what}…
      </p>
    );
  }
  return Object.assign(LazyPart, { preload: () => void fetchIt().catch(() => (loading = null)) });
}
