/**
 * What the console remembers in this browser: the person's handle (locally it
 * names them, it is not a token) and whether single-key shortcuts are on, in
 * localStorage; on AWS the signed-in session in this tab's sessionStorage
 * (console/src/lib/session.ts), never in localStorage. Storage may be unavailable
 * (a private window); then nothing is remembered.
 */
import type { TabStorage } from './session';

const HANDLE_KEY = 'redraw-tracker.handle';
const SHORTCUTS_KEY = 'redraw-tracker.shortcuts';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // not remembered; the page still works
  }
}

export const storedHandle = (): string | null => read(HANDLE_KEY);
export const storeHandle = (handle: string | null): void => write(HANDLE_KEY, handle);
/** On unless the person switched them off (issue 47: shortcuts discoverable, "Press ? for keyboard shortcuts"). */
export const shortcutsOn = (): boolean => read(SHORTCUTS_KEY) !== 'off';
export const storeShortcuts = (on: boolean): void => write(SHORTCUTS_KEY, on ? 'on' : 'off');

/** This tab's sessionStorage for the signed-in session, or null where the browser refuses it (the session then lives in memory). */
export function tabStorage(): TabStorage | null {
  try {
    const storage = window.sessionStorage;
    storage.getItem('redraw-tracker.session');
    return storage;
  } catch {
    return null;
  }
}
