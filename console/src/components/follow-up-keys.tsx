/**
 * The follow-up page's keyboard (issue 58): single keys as on the worklist
 * (components/worklist-keys.ts), on unless the person switched them off there
 * or here (WCAG 2.1.4), never while they type in a field nor inside a part
 * with keys of its own (the booking panel): t take it, a acknowledge (as on
 * the worklist), s snooze, e end the snooze, c record contact, x close, b book
 * the redraw, n or j next in this queue, / find, ? this help.
 */
import { Fragment } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { shortcutsOn, storeShortcuts } from '../lib/storage';
import { ShortcutSwitch } from './worklist-freshness';
import { focusFind, isTyping, type Shortcuts } from './worklist-keys';

/** What each key does on the page: a handler answers whether it acted (a key whose action is not offered now does nothing). */
export type FollowUpKeys = Readonly<Record<PageKey, () => boolean>>;
type PageKey = 't' | 'a' | 's' | 'e' | 'c' | 'x' | 'b' | 'n';
const PAGE_KEYS: readonly string[] = ['t', 'a', 's', 'e', 'c', 'x', 'b', 'n'] satisfies PageKey[];

/** A key pressed inside a part of the page with keys of its own (the booking panel: arrows, Enter, Escape): the page's letters do nothing there. */
const ownKeys = (target: EventTarget | null) => target instanceof Element && target.closest('[data-own-keys]') !== null;

/** The keys as the help lists them, in order. */
const HELP: readonly (readonly [string, string])[] = [
  ['t', 'take it (you become its owner)'],
  ['a', 'acknowledge it while it is new (you become its owner if it has none)'],
  ['s', 'snooze: its form opens here'],
  ['e', 'end the snooze now, while it is snoozed'],
  ['c', 'record contact: its form opens here'],
  ['x', 'close: its form opens here'],
  ['b', 'book the redraw: its panel opens here (↑/↓ sites and times, ←/→ days, Enter chooses, Escape closes; the letters here do nothing inside it)'],
  ['Enter', 'on a choice in an open form, send it (Escape closes the form)'],
  ['n or j', 'next in this queue'],
  ['/', 'find by id'],
  ['?', 'show or hide this help'],
];

/** The shortcuts' state, and what the switch last said. */
export interface FollowUpShortcuts extends Shortcuts {
  said: string;
  /** b books here (CONTRACT §14): the help lists it only then. */
  books: boolean;
}

/** Listens for the page's keys while shortcuts are on. */
export function useFollowUpKeys(keys: FollowUpKeys, books = false): FollowUpShortcuts {
  const [on, setOn] = useState(shortcutsOn);
  const [help, setHelp] = useState(false);
  const [said, say] = useState('');
  // A layout effect, as the worklist's: the listener changes in the commit that changes what the keys do.
  useLayoutEffect(() => {
    if (!on) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || ownKeys(event.target)) return;
      const key = event.key === 'j' ? 'n' : event.key;
      let acted = false;
      if (key === '?') {
        setHelp((shown) => !shown);
        acted = true;
      } else if (key === 'Escape' && help) {
        // Escape closes the help, as it closes a form (issue 84 item 8).
        setHelp(false);
        acted = true;
      } else if (key === '/') acted = focusFind();
      else if (PAGE_KEYS.includes(key)) acted = keys[key as PageKey]();
      if (acted) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
  const toggle = () => {
    storeShortcuts(!on);
    setOn(!on);
    if (on) setHelp(false);
    say(`Keyboard shortcuts are ${on ? 'off' : 'on'}.`);
  };
  return { on, help, toggle, said, books };
}

/** The shortcuts' hint and switch, and their help while `?` shows it. */
export function FollowUpKeysHelp({ shortcuts }: { shortcuts: FollowUpShortcuts }) {
  return (
    <div class="keys-help">
      <div class="keys-bar">
        <ShortcutSwitch shortcuts={shortcuts} />
      </div>
      <p role="status" class="keys-said">
        {shortcuts.said}
      </p>
      {shortcuts.on && shortcuts.help && (
        <section class="help" aria-labelledby="shortcuts-title">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <dl>
            {HELP.filter(([key]) => key !== 'b' || shortcuts.books).map(([key, words]) => (
              <Fragment key={key}>
                <dt>{key}</dt>
                <dd>{words}</dd>
              </Fragment>
            ))}
          </dl>
          <p>Shortcuts never act while you type in a field.</p>
        </section>
      )}
    </div>
  );
}
