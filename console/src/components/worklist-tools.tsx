/**
 * The worklist's tools above its rows: the filters, the link to Bulk, when the
 * rows were read with Refresh, and the shortcuts' switch. On a wide screen they
 * are two lines as before; on a phone (issue 58) they are one line, the
 * filters, Bulk and the switch under a "Filters" disclosure beside when the rows
 * were read, so the rows start higher (three cards or more on a 390x844 first
 * screen).
 */
import type { ComponentChildren } from 'preact';
import type { FreshRows } from './use-counts';
import { FreshnessLine, ShortcutSwitch, WorklistFreshness } from './worklist-freshness';
import type { Shortcuts } from './worklist-keys';

export function WorklistTools({
  narrow,
  active,
  rows,
  shortcuts,
  onRefresh,
  children,
}: {
  narrow: boolean;
  /** How many filters the URL holds (state, owner, age). */
  active: number;
  rows: FreshRows;
  shortcuts: Shortcuts;
  onRefresh: () => void;
  /** The filters and the link to Bulk. */
  children: ComponentChildren;
}) {
  if (!narrow) {
    return (
      <>
        <div class="worklist-bar">{children}</div>
        <WorklistFreshness rows={rows} shortcuts={shortcuts} onRefresh={onRefresh} />
      </>
    );
  }
  return (
    <>
      <div class="worklist-bar phone-tools">
        <details class="worklist-more">
          <summary>Filters{active > 0 ? ` (${active} on)` : ''}</summary>
          <div class="worklist-bar">{children}</div>
          <div class="worklist-bar">
            <ShortcutSwitch shortcuts={shortcuts} />
          </div>
        </details>
        <FreshnessLine rows={rows} onRefresh={onRefresh} />
      </div>
      <WorklistFreshness rows={rows} shortcuts={shortcuts} onRefresh={onRefresh} narrow />
    </>
  );
}
