/** Placeholders for the Report and Stale redraws pages until helper C's land. */
import type { PageProps } from '../http';

export function ReportPage(_props: PageProps) {
  return (
    <>
      <h1 tabIndex={-1}>Report</h1>
      <p>The report page is not built yet.</p>
    </>
  );
}

export function RedrawsPage(_props: PageProps) {
  return (
    <>
      <h1 tabIndex={-1}>Stale redraws</h1>
      <p>The stale redraws page is not built yet.</p>
    </>
  );
}
