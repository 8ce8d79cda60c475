/**
 * The Report page, `/#/report?from=D&to=D` or `?weeks=N` (CONTRACT §11,
 * §12): the window picker, the headline numbers of GET /reports/redraws for
 * the window, the open follow-ups by days open, the redraw rate by lab and
 * method and the failure types, and the follow-ups opened and
 * closed per week (one GET /reports/redraws per week, at most 4 in flight).
 * The window lives in the URL only; loading and errors are said in words.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type PageProps } from '../lib/http';
import { AgingChart } from './aging-chart';
import { readReport, type ReportDoc } from './report-doc';
import { ReportSummary } from './report-summary';
import { apiQuery, choiceWords, formDates, parseWindowSearch } from './report-window';
import { chartWeekCount, chartWeeks, readWeeks, type WeekCounts } from './report-weeks';
import { LabsSection } from './labs-section';
import { instantWords } from './report-words';
import { WeeklyChart } from './weekly-chart';
import { WindowPicker } from './window-picker';

type Loaded<T> = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; value: T };

const PATH = '/reports/redraws';

/** What a failed request says on the page: the API's own message for an ApiError. */
function failureWords(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (HTTP ${error.status}${error.code === '' ? '' : `, ${error.code}`})`;
  if (error instanceof Error) return error.message;
  return 'the request failed';
}

/** GET /reports/redraws with a query, checked. */
async function fetchReport(get: PageProps['get'], query: string): Promise<ReportDoc> {
  const read = readReport(await get(query === '' ? PATH : `${PATH}?${query}`));
  if (!read.ok) throw new Error(`the tracker's report has no valid ${read.field}`);
  return read.report;
}

export function ReportPage({ get, search, navigate }: PageProps) {
  const { choice, notice } = parseWindowSearch(search);
  const query = apiQuery(choice);
  const wholeWeeks = chartWeekCount(choice);
  const [report, setReport] = useState<Loaded<ReportDoc>>({ kind: 'loading' });
  const [weeks, setWeeks] = useState<Loaded<WeekCounts[]>>({ kind: 'loading' });
  // The shell may hand a new `get` on every render; only a new window asks again.
  const getRef = useRef(get);
  getRef.current = get;

  useEffect(() => {
    // A newer window (the URL changed) wins: answers for an older one are dropped.
    let current = true;
    setReport({ kind: 'loading' });
    setWeeks({ kind: 'loading' });
    const read = (q: string) => fetchReport(getRef.current, q);
    read(query).then(
      (answer) => {
        if (!current) return;
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

  const timeZone = report.kind === 'ok' ? report.value.time_zone : 'UTC';
  const dates = choice.kind === 'dates' ? { from: choice.from, to: choice.to } : report.kind === 'ok' ? formDates(report.value, timeZone) : null;

  return (
    <div class="report-page">
      <h1 tabIndex={-1}>Redraw report</h1>
      <p class="report-window-words">
        Window: <strong>{choiceWords(choice)}</strong>
        {report.kind === 'ok' && (
          <>
            {' '}
            (from {instantWords(report.value.from, timeZone)} to {instantWords(report.value.to, timeZone)}; days and weeks are {timeZone}'s, Monday to Sunday)
          </>
        )}
      </p>
      {notice !== null && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <WindowPicker key={query} choice={choice} from={dates?.from ?? ''} to={dates?.to ?? ''} timeZone={timeZone} navigate={navigate} />
      {report.kind === 'loading' && (
        <p role="status" class="loading">
          Loading the report…
        </p>
      )}
      {report.kind === 'error' && (
        <p role="alert" class="error">
          Could not load the report: {report.message}
        </p>
      )}
      {report.kind === 'ok' && (
        <>
          <ReportSummary report={report.value} />
          <AgingChart aging={report.value.aging_now} />
          <LabsSection rows={report.value.by_lab} />
          <section class="report-weekly" aria-labelledby="report-weekly-heading">
            <h2 id="report-weekly-heading">Opened and closed per week</h2>
            {weeks.kind === 'loading' && (
              <p role="status" class="loading">
                Loading the weekly counts ({wholeWeeks + 1} weeks)…
              </p>
            )}
            {weeks.kind === 'error' && (
              <p role="alert" class="error">
                Could not load the weekly counts: {weeks.message}
              </p>
            )}
            {weeks.kind === 'ok' && <WeeklyChart weeks={weeks.value} timeZone={timeZone} wholeWeeks={wholeWeeks} />}
          </section>
        </>
      )}
    </div>
  );
}
