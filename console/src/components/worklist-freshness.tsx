/**
 * The worklist's freshness bar (CONTRACT §12): when the rows were read and
 * whether the last refresh failed, Refresh, and the keyboard shortcuts' switch
 * with their help (issue 47: "Press ? for keyboard shortcuts"). On a phone the
 * switch goes under the worklist's "Filters" disclosure (worklist-tools.tsx),
 * so the bar is one line.
 */
import { errorWords } from '../lib/load';
import { updatedWords } from '../lib/row-words';
import type { FreshRows } from './use-counts';
import type { Shortcuts } from './worklist-keys';

/** When the rows were read (and whether the last refresh failed), and Refresh. */
export function FreshnessLine({ rows, onRefresh }: { rows: FreshRows; onRefresh: () => void }) {
  return (
    <>
      <p class="updated">
        {rows.updatedAt === null ? 'Not read yet' : updatedWords(rows.updatedAt)}
        {rows.refreshError !== null && <span class="refresh-failed">. The last refresh failed: {errorWords(rows.refreshError)}</span>}
      </p>
      <button type="button" class="secondary" onClick={onRefresh}>
        Refresh
      </button>
    </>
  );
}

/** The shortcuts' hint (while they are on) and their switch. */
export function ShortcutSwitch({ shortcuts }: { shortcuts: Shortcuts }) {
  return (
    <>
      {shortcuts.on && <p class="shortcut-hint">Press ? for keyboard shortcuts</p>}
      <button type="button" class="secondary" onClick={shortcuts.toggle}>
        Keyboard shortcuts: {shortcuts.on ? 'on' : 'off'}
      </button>
    </>
  );
}

export function WorklistFreshness({ rows, shortcuts, onRefresh, narrow = false }: { rows: FreshRows; shortcuts: Shortcuts; onRefresh: () => void; narrow?: boolean }) {
  return (
    <>
      {!narrow && (
        <div class="worklist-bar">
          <FreshnessLine rows={rows} onRefresh={onRefresh} />
          <ShortcutSwitch shortcuts={shortcuts} />
        </div>
      )}
      {shortcuts.on && shortcuts.help && (
        <section class="help" aria-labelledby="shortcuts-title">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <dl>
            <dt>j / k</dt>
            <dd>next / previous follow-up</dd>
            <dt>Enter</dt>
            <dd>open the focused follow-up</dd>
            <dt>a</dt>
            <dd>acknowledge the focused follow-up (you become its owner if it has none)</dd>
            <dt>/</dt>
            <dd>find by id</dd>
            <dt>?</dt>
            <dd>show or hide this help</dd>
          </dl>
          <p>Shortcuts never act while you type in a field.</p>
        </section>
      )}
    </>
  );
}
