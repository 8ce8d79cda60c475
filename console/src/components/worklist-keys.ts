/**
 * The worklist's keyboard (CONTRACT §12, issue 47): single-key shortcuts, on
 * unless the person switched them off (WCAG 2.1.4), that never act while they
 * type; and the focus kept on a row when a refresh drops the one it was on.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { shortcutsOn, storeShortcuts } from '../lib/storage';
import { FIND_AFRESH } from './find-box';
import type { FollowUp } from '../lib/types';

/** The rows' links, in order (the table's or the cards'). */
export const rowLinks = () => Array.from(document.querySelectorAll<HTMLAnchorElement>('#worklist-rows a.row-link'));
/** The id of the row that holds the keyboard focus. */
export const focusedRowId = () => (document.activeElement instanceof HTMLElement ? (document.activeElement.closest<HTMLElement>('[data-id]')?.dataset.id ?? undefined) : undefined);

/** Whether a key lands in a field the person types in: shortcuts never act there (the follow-up page's too). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName);
}

/** When a refresh drops the row that had the keyboard focus, the focus goes to the row now in its place (or the heading), never to the page's body. */
export function useFocusKept(items: readonly FollowUp[]): void {
  const last = useRef<{ id: string; index: number } | null>(null);
  useEffect(() => {
    const onFocusIn = () => {
      const id = focusedRowId();
      if (id !== undefined) last.current = { id, index: rowLinks().findIndex((link) => link.closest<HTMLElement>('[data-id]')?.dataset.id === id) };
      else last.current = null;
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);
  useLayoutEffect(() => {
    const was = last.current;
    if (was === null || items.some((item) => item.id === was.id)) return;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    const links = rowLinks();
    const next = links[Math.min(was.index, links.length - 1)];
    if (next) next.focus();
    else document.querySelector<HTMLElement>('main h1')?.focus();
  }, [items]);
}

/** `/` on any page with shortcuts: the focus goes to the find box (in the header), as on sites that search by `/`, emptied of an old find (issue 72). */
export function focusFind(): boolean {
  const box = document.getElementById('find-id');
  box?.dispatchEvent(new Event(FIND_AFRESH));
  box?.focus();
  return box !== null;
}

/** Moves the focus a row down (j) or up (k), to the first row when none has it. */
function moveFocus(key: 'j' | 'k'): boolean {
  const links = rowLinks();
  if (links.length === 0) return false;
  const at = links.findIndex((link) => link === document.activeElement);
  const next = at === -1 ? 0 : Math.min(links.length - 1, Math.max(0, at + (key === 'j' ? 1 : -1)));
  links[next]!.focus();
  return true;
}

export interface Shortcuts {
  on: boolean;
  /** The help is shown (? toggles it). */
  help: boolean;
  /** Switches them off or on, remembered in this browser; says which. */
  toggle(): void;
}

/** j/k move between rows, a acknowledges the focused row (`acknowledge` says whether it acted), / goes to the find box, ? shows the help; `say` announces. */
export function useShortcuts(acknowledge: (id: string | undefined) => boolean, say: (message: string) => void, deps: readonly unknown[]): Shortcuts {
  const [on, setOn] = useState(shortcutsOn);
  const [help, setHelp] = useState(false);
  // A layout effect: the listener comes and goes in the commit that switches shortcuts on or off.
  // Preact runs a plain effect's cleanup after the next frame, so a key pressed just after "off"
  // still moved the focus (CI saw j focus a row after the switch said off).
  useLayoutEffect(() => {
    if (!on) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === 'j' || event.key === 'k') {
        if (moveFocus(event.key)) event.preventDefault();
      } else if (event.key === '?') {
        setHelp((shown) => !shown);
        event.preventDefault();
      } else if (event.key === 'Escape') {
        // Escape closes the help (issue 84 item 8); with the help closed it changes nothing.
        setHelp(false);
      } else if (event.key === 'a') {
        if (acknowledge(focusedRowId())) event.preventDefault();
      } else if (event.key === '/') {
        if (focusFind()) event.preventDefault();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [on, ...deps]);
  const toggle = () => {
    storeShortcuts(!on);
    setOn(!on);
    if (on) setHelp(false);
    say(`Keyboard shortcuts are ${on ? 'off' : 'on'}.`);
  };
  return { on, help, toggle };
}
