/**
 * The pieces of a worklist row that the table and the cards share: the short
 * id that links to the follow-up (its full id its accessible name and title),
 * a copy button per id, the due time in the browser's zone, "Take it".
 */
import { followUpHref } from '../lib/route';
import type { RowTime, RowView } from '../lib/row-view';

/** What a row's buttons ask the page for. */
export interface RowHandlers {
  /** Copy `text` to the clipboard and announce it. */
  onCopy(text: string, what: string): void;
  /** "Take it" on the row with this id. */
  onTake(id: string): void;
}

export function RowLink({ row, from }: { row: RowView; from: URLSearchParams }) {
  return (
    <a class="row-link id" href={followUpHref(row.id, from)} title={row.id} aria-label={row.id}>
      {row.shortId}
      {/* The whole id on the page too (find in page, a row's text); the link's name says it once. */}
      <span class="visually-hidden"> {row.id}</span>
    </a>
  );
}

/** A copy button: "Copy" on screen (or `label`, whose words its accessible name begins with), the whole id in its name. */
export function CopyButton({ text, what, onCopy, label = 'Copy' }: { text: string; what: string; onCopy: RowHandlers['onCopy']; label?: string }) {
  return (
    <button type="button" class="copy" aria-label={`Copy ${what} ${text}`} title={`Copy ${what} ${text}`} onClick={() => onCopy(text, what)}>
      {label}
    </button>
  );
}

/** "Take it" on an open row without an owner; nothing on any other. */
export function TakeButton({ row, onTake }: { row: RowView; onTake: RowHandlers['onTake'] }) {
  if (row.take === null) return null;
  return (
    <button type="button" class="take" aria-label={`Take it: ${row.id}`} onClick={() => onTake(row.id)}>
      Take it
    </button>
  );
}

/** The owner in words, marked "(you)" or "(not you)", or "None". */
export function OwnerText({ row }: { row: RowView }) {
  return <span class={row.hasOwner ? (row.othersOwn ? 'owner-other' : undefined) : 'muted'}>{row.owner}</span>;
}

/** The order id to paste into Junction: short on screen, whole to a screen reader and in the title, with its copy button. */
export function OrderId({ row, onCopy }: { row: RowView; onCopy: RowHandlers['onCopy'] }) {
  if (row.order === null) return <span class="muted">None</span>;
  const what = `${row.order.kind} order id`;
  return (
    <span class="id-with-copy">
      <span class="id" title={`${row.order.kind === 'redraw' ? 'Redraw' : 'Initial'} order ${row.order.id}`}>
        <span aria-hidden="true">{row.order.shortId}</span>
        <span class="visually-hidden">{`${row.order.kind === 'redraw' ? 'Redraw' : 'Initial'} order ${row.order.id}`}</span>
      </span>{' '}
      <CopyButton text={row.order.id} what={what} onCopy={onCopy} />
    </span>
  );
}

/** How urgent in words (the colour class only repeats them), and beside an attention or "stuck since" how overdue it is, in one tag. */
export function UrgencyText({ row }: { row: RowView }) {
  return (
    <span class={`urgency urgency-${row.urgency.band}`}>
      <span class="urgency-words">{row.urgency.words}</span>
      {row.dueBy !== null && (
        <>
          {', '}
          <strong class="due-by">{row.dueBy}</strong>
        </>
      )}
    </span>
  );
}

/** A time: the local part on screen, the whole words (with UTC) in the title and to a screen reader. */
export function RowTimeText({ time, none }: { time: RowTime | null; none: string }) {
  if (time === null) return <span class="muted">{none}</span>;
  return (
    <time dateTime={time.iso} title={time.full}>
      <span aria-hidden="true">{time.local}</span>
      <span class="visually-hidden">{time.full}</span>
    </time>
  );
}

/** The owner, marked "(you)" or "(not you)", or "None" with a "Take it" button on an open row. */
export function OwnerCell({ row, onTake }: { row: RowView; onTake: RowHandlers['onTake'] }) {
  return (
    <span class="owner-cell">
      <OwnerText row={row} />
      {row.take !== null && (
        <>
          {' '}
          <TakeButton row={row} onTake={onTake} />
        </>
      )}
    </span>
  );
}
