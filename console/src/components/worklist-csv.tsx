/**
 * "Download this view as CSV" on the worklist (CONTRACT §12): every page of
 * the view as filtered (GET /follow-ups with its filters, following the
 * cursors from the first page, whatever page is shown), saved as
 * `worklist-<queue>[-<filter>-<value>...]-<day>.csv` with its times in UTC
 * and in the browser's zone, with the rows read so far said in a live region
 * ("312 rows read…") and a Stop button. Stopping saves nothing: a part of a
 * view would read as the whole of it. The CSV code (lib/csv-download.ts) is
 * imported on the first click, its own chunk; the columns
 * (lib/worklist-csv.ts) are small and stay with the first load.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { errorWords } from '../lib/load';
import { asFollowUpPage } from '../lib/types';
import { followUpsPathFrom, type Queue, type WorklistState } from '../lib/url-state';
import { browserZone } from '../lib/time';
import { readWholeView, worklistFileName, worklistTable } from '../lib/worklist-csv';

type Phase = { kind: 'idle' } | { kind: 'reading'; rows: number } | { kind: 'saved'; rows: number; file: string } | { kind: 'stopped'; rows: number } | { kind: 'failed'; words: string };

function phaseWords(phase: Phase): string {
  switch (phase.kind) {
    case 'idle':
      return '';
    case 'reading':
      return `${phase.rows} rows read…`;
    case 'saved':
      return `${phase.rows} rows saved as ${phase.file}.`;
    case 'stopped':
      return `Stopped after ${phase.rows} rows: nothing was saved.`;
    case 'failed':
      return `Could not save the view: ${phase.words}`;
  }
}

/** The button, its Stop, and what they did in words; `state` is the view (its cursor is ignored: the file starts at the first page). */
export function WorklistCsv({ api, state, queue }: { api: Api; state: WorklistState; queue: Queue }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const stop = useRef(false);
  const rowsRead = useRef(0);
  const saveButton = useRef<HTMLButtonElement>(null);
  // Leaving the view (another filter, another page of the console) stops a read under way.
  useEffect(() => () => void (stop.current = true), []);

  const save = async () => {
    stop.current = false;
    rowsRead.current = 0;
    setPhase({ kind: 'reading', rows: 0 });
    try {
      const { downloadCsv, downloadName } = await import('../lib/csv-download');
      const progress = (rows: number) => {
        rowsRead.current = rows;
        if (!stop.current) setPhase({ kind: 'reading', rows });
      };
      const items = await readWholeView(async (cursor) => asFollowUpPage(await api.get(followUpsPathFrom(state, cursor))), progress, () => stop.current);
      if (items === null) return;
      const name = worklistFileName(state, queue);
      const file = downloadName(name, null);
      downloadCsv(worklistTable(name, items, queue === 'closed', browserZone()), file);
      setPhase({ kind: 'saved', rows: items.length, file });
    } catch (error) {
      setPhase({ kind: 'failed', words: errorWords(error) });
    }
  };
  const onStop = () => {
    stop.current = true;
    setPhase({ kind: 'stopped', rows: rowsRead.current });
    // The Stop button goes: the keyboard focus goes back to the button that started it.
    saveButton.current?.focus();
  };

  return (
    <div class="worklist-csv">
      <button ref={saveButton} type="button" class="secondary" aria-disabled={phase.kind === 'reading'} onClick={() => void (phase.kind === 'reading' ? undefined : save())}>
        Download this view as CSV
      </button>
      {phase.kind === 'reading' && (
        <button type="button" class="secondary" onClick={onStop}>
          Stop
        </button>
      )}
      <p role="status" class="csv-progress">
        {phaseWords(phase)}
      </p>
    </div>
  );
}
