/**
 * The header: the app's name, the pages, who is signed in (locally a way to
 * change the handle; on AWS, to sign out), and what the shell puts in it (the
 * find box, once someone is signed in).
 */
import type { ComponentChildren } from 'preact';
import type { Route } from '../lib/route';

const LINKS = [
  { page: 'worklist', href: '#/worklist', words: 'Worklist' },
  { page: 'bulk', href: '#/bulk', words: 'Bulk' },
  { page: 'report', href: '#/report', words: 'Report' },
  { page: 'redraws', href: '#/redraws', words: 'Stale redraws' },
] as const;

export function Header({
  route,
  handle,
  onChange,
  onSignOut,
  children,
}: {
  route: Route;
  handle: string | null;
  onChange?: () => void;
  onSignOut?: () => void;
  children?: ComponentChildren;
}) {
  return (
    <header class="site-header">
      <a class="app-name" href="#/worklist">
        Redraw tracker
      </a>
      <nav aria-label="Pages">
        <ul>
          {LINKS.map((link) => (
            <li key={link.page}>
              <a href={link.href} aria-current={route.page === link.page ? 'page' : undefined}>
                {link.words}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
      {handle !== null && (
        <p class="signed-in">
          Signed in as <strong>{handle}</strong>{' '}
          {onChange && (
            <button type="button" class="link-button" onClick={onChange}>
              Change<span class="visually-hidden"> handle</span>
            </button>
          )}
          {onSignOut && (
            <button type="button" class="link-button" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </p>
      )}
    </header>
  );
}
