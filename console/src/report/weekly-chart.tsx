/**
 * Follow-ups opened and closed per week (Monday to Sunday in the report's
 * zone) as grouped bars with their numbers on them, opened solid and closed
 * hatched (so the two differ without colour), and the same data as a table.
 * The current week is asked for whole and said to be "so far".
 */
import { DataTable } from '../components/data-table';
import { groupedBars, niceMax, tickPosition, ticks } from './chart-geometry';
import { weeksTable } from './report-tables';
import { weekLabel, type WeekCounts } from './report-weeks';
import { useChartWidth } from './use-chart-width';

const PLOT_HEIGHT = 180;
const AXIS_LEFT = 36;
const TOP = 16;
const BOTTOM = 40;
/** Widest band a week gets, and the narrowest; between them the weeks share the page's width. */
const BAND_MAX = 120;
const BAND_MIN = 18;
/** Below this band width the numbers would overlap: they are left to the table beside the chart. */
const BAND_FOR_NUMBERS = 40;

export function WeeklyChart({ weeks, timeZone, wholeWeeks }: { weeks: readonly WeekCounts[]; timeZone: string; wholeWeeks: number }) {
  return (
    <div class="chart-and-table">
      <WeeklyBars weeks={weeks} timeZone={timeZone} />
      <DataTable
        class="report-weeks-table"
        caption={`Follow-ups opened and closed per week: the last ${wholeWeeks} whole weeks and this week so far, Monday to Sunday in ${timeZone}`}
        columns={['Week of', 'Opened', 'Closed']}
        csv={weeksTable(weeks, timeZone)}
      >
        {weeks.map((week) => (
          <tr key={week.from}>
            <th scope="row">
              <time dateTime={week.from}>{weekLabel(week.from, timeZone)}</time>
              {week.current ? ' (this week, so far)' : ''}
            </th>
            <td>{week.opened}</td>
            <td>{week.closed}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

/** The key to the bars: opened solid, closed hatched; whether the numbers are on the bars or only in the table. */
function WeeklyLegend({ numbered }: { numbered: boolean }) {
  return (
    <p class="legend" aria-hidden="true">
      <svg width="14" height="14" viewBox="0 0 14 14" class="legend-key">
        <rect class="bar opened" x="0" y="0" width="14" height="14" />
      </svg>{' '}
      opened{' '}
      <svg width="14" height="14" viewBox="0 0 14 14" class="legend-key">
        <rect class="bar closed" x="0" y="0" width="14" height="14" fill="url(#report-hatch)" />
      </svg>{' '}
      closed (hatched); * this week so far{numbered ? '' : '; the numbers are in the table'}
    </p>
  );
}

function WeeklyBars({ weeks, timeZone }: { weeks: readonly WeekCounts[]; timeZone: string }) {
  const [ref, pageWidth] = useChartWidth();
  const groups = weeks.map((week) => [week.opened, week.closed]);
  const max = niceMax(groups.flat());
  const band = Math.min(BAND_MAX, Math.max(BAND_MIN, Math.floor((pageWidth - AXIS_LEFT - 8) / weeks.length)));
  const numbered = band >= BAND_FOR_NUMBERS;
  const plotWidth = band * weeks.length;
  const width = AXIS_LEFT + plotWidth + 8;
  const height = TOP + PLOT_HEIGHT + BOTTOM;
  const bars = groupedBars(groups, { width: plotWidth, height: PLOT_HEIGHT, max, gap: 0.25 });
  // Every label when they fit; with many weeks every second, third... counted back from this
  // week's (always labelled), so they never overlap.
  const labelEvery = Math.max(1, Math.ceil((weeks.length * 44) / plotWidth));
  const label = (week: WeekCounts) => `${weekLabel(week.from, timeZone)}${week.current ? ' (this week, so far)' : ''}`;
  const summary = `Grouped bar chart of follow-ups opened and closed per week, ${weeks.length} weeks from the week of ${weekLabel(weeks[0]!.from, timeZone)}: ${weeks
    .map((week) => `week of ${label(week)} opened ${week.opened}, closed ${week.closed}`)
    .join('; ')}.`;
  return (
    <div class="chart-scroll" ref={ref}>
      <WeeklyLegend numbered={numbered} />
      <svg class="chart" role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
        <defs>
          <pattern id="report-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
            <rect class="hatch-bg" x="0" y="0" width="6" height="6" />
            <line class="hatch-line" x1="0" y1="0" x2="0" y2="6" />
          </pattern>
        </defs>
        {ticks(max).map((tick) => {
          const y = TOP + PLOT_HEIGHT - tickPosition(tick, max, PLOT_HEIGHT);
          return (
            <g key={tick} class="grid">
              <line x1={AXIS_LEFT} x2={AXIS_LEFT + plotWidth} y1={y} y2={y} />
              <text x={AXIS_LEFT - 6} y={y} text-anchor="end" dominant-baseline="middle">
                {tick}
              </text>
            </g>
          );
        })}
        {bars.map((bar) => (
          <g key={`${bar.group}-${bar.series}`}>
            <rect class={`bar ${bar.series === 0 ? 'opened' : 'closed'}`} x={AXIS_LEFT + bar.x} y={TOP + bar.y} width={bar.width} height={bar.height} fill={bar.series === 1 ? 'url(#report-hatch)' : undefined} />
            {numbered && (
              <text class="value" x={AXIS_LEFT + bar.x + bar.width / 2} y={TOP + bar.y - 4} text-anchor="middle">
                {bar.value}
              </text>
            )}
          </g>
        ))}
        {weeks.map((week, index) =>
          (weeks.length - 1 - index) % labelEvery === 0 ? (
            <text key={week.from} class="label" x={AXIS_LEFT + band * index + band / 2} y={TOP + PLOT_HEIGHT + 16} text-anchor="middle">
              {weekLabel(week.from, timeZone).slice(5)}
              {week.current ? '*' : ''}
            </text>
          ) : null,
        )}
      </svg>
    </div>
  );
}
