/**
 * The bookings by lab as one chart (CONTRACT §14 "The report", §12): per lab,
 * then for all labs, two bars one under the other, each under its words: the
 * booked share (booked of the redraws, solid) and the drawn share (drawn after
 * booking, of the booked, hatched), each with its percentage, its sample and
 * its 95% Wilson interval written, and the interval drawn as a capped line
 * across the bar's end. Which bar is which is said in words beside each and by
 * its place and fill, never by colour alone. A share without a sample (no
 * redraw, none booked) says so and draws no bar. On a narrow screen a share's
 * interval goes on a line of its own rather than being cut.
 */
import { HorizontalBarChart } from './chart-frame';
import { round2 } from './chart-geometry';
import type { BookingsRow } from './report-bookings-doc';
import { bookedShare, bookedWords, bookingLabWords, bookingsChartSummary, drawnShare, drawnWords, oneLine, type Share, type ShareWords } from './report-bookings';
import { clip } from './report-labs';
import { useChartWidth } from './use-chart-width';
import { percentNumber } from './wilson';

const LEFT = 4;
const RIGHT = 12;
/** A line of the chart's 12 px text, and about how wide a character of it is. */
const LINE = 16;
const CHAR_PX = 6.6;
const BAR = 12;
/** The axis: shares in percent, 0 to 100. */
const MAX = 100;

export function BookingsChart({ rows }: { rows: readonly BookingsRow[] }) {
  const [ref, width] = useChartWidth();
  const plot = width - LEFT - RIGHT;
  const chars = Math.floor(plot / CHAR_PX);
  // One layout for the whole chart: a share's interval on its own line when any share's words would not fit on one.
  const lines = rows.some((row) => [bookedWords(row), drawnWords(row)].some((words) => oneLine(words).length > chars)) ? 2 : 1;
  const block = lines * LINE + 4 + BAR + 8;
  const height = LINE + 4 + 2 * block + 6;
  return (
    <div class="chart-scroll" ref={ref}>
      <HorizontalBarChart summary={bookingsChartSummary(rows)} width={width} tickSuffix="%" axisTitle="percent: booked of the redraws; drawn of the booked" left={LEFT} plot={plot} height={height * rows.length} max={MAX}>
        <defs>
          <pattern id="report-bookings-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
            <rect class="hatch-bg" x="0" y="0" width="6" height="6" />
            <line class="hatch-line" x1="0" y1="0" x2="0" y2="6" />
          </pattern>
        </defs>
        {rows.map((row, index) => {
          const top = index * height;
          return (
            <g key={row.lab ?? ''} class="bookings-row">
              <text class="label" x={LEFT} y={top + 13}>
                {clip(bookingLabWords(row.lab), chars)}
              </text>
              <ShareBar top={top + LINE + 4} words={bookedWords(row)} share={bookedShare(row)} lines={lines} kind="booked" plot={plot} chars={chars} />
              <ShareBar top={top + LINE + 4 + block} words={drawnWords(row)} share={drawnShare(row)} lines={lines} kind="drawn" plot={plot} chars={chars} />
            </g>
          );
        })}
      </HorizontalBarChart>
    </div>
  );
}

interface ShareBarProps {
  top: number;
  words: ShareWords;
  share: Share | null;
  lines: number;
  kind: 'booked' | 'drawn';
  plot: number;
  chars: number;
}

/** A share's words (one or two lines), its bar under them, and its interval as a capped line. */
function ShareBar({ top, words, share, lines, kind, plot, chars }: ShareBarProps) {
  const shown = lines === 1 ? [oneLine(words)] : words;
  const barTop = top + lines * LINE + 4;
  const middle = barTop + BAR / 2;
  const at = (proportion: number) => round2(LEFT + (percentNumber(proportion) / MAX) * plot);
  return (
    <g class={`share ${kind}`}>
      {shown.map((text, index) => (
        <text key={index} class="value" x={LEFT} y={top + 12 + index * LINE}>
          {clip(text, chars)}
        </text>
      ))}
      {share !== null && (
        <>
          <rect class={`bar ${kind}`} x={LEFT} y={barTop} width={round2((share.percent / MAX) * plot)} height={BAR} fill={kind === 'drawn' ? 'url(#report-bookings-hatch)' : undefined} />
          <g class="interval">
            <line x1={at(share.interval.low)} x2={at(share.interval.high)} y1={middle} y2={middle} />
            <line x1={at(share.interval.low)} x2={at(share.interval.low)} y1={middle - 5} y2={middle + 5} />
            <line x1={at(share.interval.high)} x2={at(share.interval.high)} y1={middle - 5} y2={middle + 5} />
          </g>
        </>
      )}
    </g>
  );
}
