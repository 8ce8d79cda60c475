/**
 * What a worklist row's buttons and the `a` shortcut do (CONTRACT §12): take or
 * acknowledge a row as the page loaded it (lib/row-act.ts), copy an id, and say
 * the answer in the page's status line.
 */
import { useRef, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { actOnRow } from '../lib/row-act';
import { shortId } from '../lib/row-view';
import type { FollowUp } from '../lib/types';
import type { RowHandlers } from './row-parts';
import { rowLinks } from './worklist-keys';

export interface RowActions {
  /** The status line's words. */
  message: string;
  say(message: string): void;
  /** Acts on the row with this id; false when there is none. */
  act(id: string | undefined, kind: 'acknowledge' | 'take'): boolean;
  handlers: RowHandlers;
}

/** `refresh` reads the rows again when an action asks for it. */
export function useRowActions(api: Api, handle: string, items: readonly FollowUp[], refresh: () => void): RowActions {
  const [message, setMessage] = useState('');
  const itemsRef = useRef(items);
  itemsRef.current = items;

  /** Takes or acknowledges a row as the page loaded it; a 409 is said in words and the rows are read again. */
  const act = (id: string | undefined, kind: 'acknowledge' | 'take') => {
    const row = itemsRef.current.find((item) => item.id === id);
    if (!row) return false;
    setMessage(`${kind === 'acknowledge' ? 'Acknowledging' : 'Taking'} ${shortId(row.id)}…`);
    void actOnRow(api, row, kind, handle).then((result) => {
      setMessage(result.message);
      if (result.refresh) refresh();
      // "Take it" goes once the row has an owner: the keyboard focus stays on the row, at its link.
      const focused = document.activeElement;
      if (kind === 'take' && (focused === null || focused === document.body || focused.classList.contains('take'))) {
        rowLinks().find((link) => link.closest<HTMLElement>('[data-id]')?.dataset.id === row.id)?.focus();
      }
    });
    return true;
  };

  const handlers: RowHandlers = {
    onCopy: (text, what) => {
      const copied = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
      copied.then(
        () => setMessage(`Copied ${text}`),
        () => setMessage(`Could not copy the ${what}: it is ${text}`),
      );
    },
    onTake: (id) => void act(id, 'take'),
  };

  return { message, say: setMessage, act, handlers };
}
