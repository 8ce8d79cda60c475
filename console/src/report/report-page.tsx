/**
 * The Report page, `/#/report?from=D&to=D` or `?weeks=N` (CONTRACT §11,
 * §12): the window picker, the headline numbers of GET /reports/redraws for
 * the window, the open follow-ups by days open, the closes by person, the redraw rate by lab and
 * method and the failure types, the bookings by lab (as of the read), and the follow-ups opened and
 * closed per week (one GET /reports/redraws per week, at most 4 in flight).
 * The window lives in the URL only; loading and errors are said in words.
 * Its tables' CSV files are named by the window's days (CsvWindow).
 */
import { useMemo } from 'preact/hooks';
import { CsvWindow } from '../components/csv-button';
import { LoadState } from '../components/load-state';
import type { PageProps } from '../lib/http';
import type { Loaded } from '../lib/load';
import { AgingChart } from './aging-chart';
import { BookingsSection } from './bookings-section';
import { ClosersSection } from './closers-section';
import { LabsSection } from './labs-section';
import type { ReportDoc } from './report-doc';
import { ReportSummary } from './report-summary';
import { windowFileTail } from './report-tables';
import { apiQuery, choiceWords, formDates, parseWindowSearch, type WindowChoice } from './report-window';
import { chartWeekCount } from './report-weeks';
import { instantWords } from './report-words';
import { useReport } from './use-report';
import { WeeklyChart } from './weekly-chart';
import { WindowPicker } from './window-picker';

export function ReportPage({ get, search, navigate }: PageProps) {
  const { choice, notice } = parseWindowSearch(search);
  // "Up to now" is the moment the address was opened: a render must not ask again for a window a second later.
  const address = search.toString();
  const now = useMemo(() => new Date(), [address]);
  const query = apiQuery(choice, now);
  const wholeWeeks = chartWeekCount(choice);
  const { report, weeks, readAt } = useReport(get, query, wholeWeeks);
  const timeZone = report.kind === 'ok' ? report.value.time_zone : 'UTC';
  const dates = choice.kind === 'dates' ? { from: choice.from, to: choice.to } : report.kind === 'ok' ? formDates(report.value, timeZone) : null;

  return (
    <div class="report-page">
      <h1 tabIndex={-1}>Redraw report</h1>
      <WindowWords choice={choice} report={report} timeZone={timeZone} />
      {notice !== null && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <WindowPicker key={query} choice={choice} from={dates?.from ?? ''} to={dates?.to ?? ''} timeZone={timeZone} navigate={navigate} />
      <LoadState loaded={report} loading="Loading the report…" failed="Could not load the report" />
      {report.kind === 'ok' && (
        <CsvWindow.Provider value={windowFileTail(report.value, timeZone)}>
          <ReportSummary report={report.value} />
          <AgingChart aging={report.value.aging_now} />
          <ClosersSection report={report.value} timeZone={timeZone} />
          <LabsSection rows={report.value.by_lab} />
          <BookingsSection rows={report.value.bookings_by_lab} readAt={readAt} />
          <section class="report-weekly" aria-labelledby="report-weekly-heading">
            <h2 id="report-weekly-heading">Opened and closed per week</h2>
            <LoadState loaded={weeks} loading={`Loading the weekly counts (${wholeWeeks + 1} weeks)…`} failed="Could not load the weekly counts" />
            {weeks.kind === 'ok' && <WeeklyChart weeks={weeks.value} timeZone={timeZone} wholeWeeks={wholeWeeks} />}
          </section>
        </CsvWindow.Provider>
      )}
    </div>
  );
}

/** The window in words, and once the report is read, its instants in the report's zone. */
function WindowWords({ choice, report, timeZone }: { choice: WindowChoice; report: Loaded<ReportDoc>; timeZone: string }) {
  return (
    <p class="report-window-words">
      Window: <strong>{choiceWords(choice)}</strong>
      {report.kind === 'ok' && (
        <>
          {' '}
          (from {instantWords(report.value.from, timeZone)} to {instantWords(report.value.to, timeZone)}; days and weeks are {timeZone}'s, Monday to Sunday)
        </>
      )}
    </p>
  );
}
