/**
 * The Report page's reads (CONTRACT §11, §12): GET /reports/redraws for the
 * window, then the weeks of the chart (one GET /reports/redraws per week, at
 * most 4 in flight) in the report's zone, and when the report was read. A newer window (the URL changed)
 * wins: answers for an older one are dropped.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { failureWords, type Loaded } from '../lib/load';
import type { PageProps } from '../lib/http';
import { readReport, type ReportDoc } from './report-doc';
import { chartWeeks, readWeeks, type WeekCounts } from './report-weeks';

const PATH = '/reports/redraws';

/** GET /reports/redraws with a query, checked. */
async function fetchReport(get: PageProps['get'], query: string): Promise<ReportDoc> {
  const read = readReport(await get(query === '' ? PATH : `${PATH}?${query}`));
  if (!read.ok) throw new Error(`the tracker's report has no valid ${read.field}`);
  return read.report;
}

/** The report of the window `query`, and the counts of its `wholeWeeks` whole weeks and this one. */
export function useReport(get: PageProps['get'], query: string, wholeWeeks: number): { report: Loaded<ReportDoc>; weeks: Loaded<WeekCounts[]>; readAt: string } {
  const [report, setReport] = useState<Loaded<ReportDoc>>({ kind: 'loading' });
  // When the report was read: its bookings are as of then (CONTRACT §14 "The report").
  const [readAt, setReadAt] = useState('');
  const [weeks, setWeeks] = useState<Loaded<WeekCounts[]>>({ kind: 'loading' });
  // The shell may hand a new `get` on every render; only a new window asks again.
  const getRef = useRef(get);
  getRef.current = get;

  useEffect(() => {
    let current = true;
    setReport({ kind: 'loading' });
    setWeeks({ kind: 'loading' });
    const read = (q: string) => fetchReport(getRef.current, q);
    read(query).then(
      (answer) => {
        if (!current) return;
        setReadAt(new Date().toISOString());
        setReport({ kind: 'ok', value: answer });
        readWeeks(chartWeeks(new Date(), wholeWeeks, answer.time_zone), read).then(
          (counts) => current && setWeeks({ kind: 'ok', value: counts }),
          (error: unknown) => current && setWeeks({ kind: 'error', message: failureWords(error) }),
        );
      },
      (error: unknown) => {
        if (!current) return;
        setReport({ kind: 'error', message: failureWords(error) });
        setWeeks({ kind: 'error', message: 'not asked: the report itself could not be read' });
      },
    );
    return () => {
      current = false;
    };
  }, [query, wholeWeeks]);

  return { report, weeks, readAt };
}
