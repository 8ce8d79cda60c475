/**
 * What the report's horizontal bar charts share: the drawing (role="img",
 * named by its summary in words), as wide as the page gives it, with a
 * vertical grid line and its number per tick of the value axis under the bars
 * and the axis's unit under them; and, for the charts whose rows are long
 * words (labs, failure types), a row drawn as its words on a line with its bar
 * below them and the value beside the bar's end.
 */
import type { ComponentChildren } from 'preact';
import { tickPosition, ticks } from './chart-geometry';

/** Below the bars: the axis numbers. */
const AXIS = 22;
/** Below the axis numbers: the axis's unit in words. */
const AXIS_TITLE = 18;

interface FrameProps {
  summary: string;
  /** The drawing's width in CSS pixels (use-chart-width.ts). */
  width: number;
  /** What the axis counts, in words under it ("missing markers"); a tick's own suffix ("%") in `tickSuffix`. */
  axisTitle?: string;
  tickSuffix?: string;
  /** Where the plot starts, and how wide it is at the axis maximum `max`. */
  left: number;
  plot: number;
  /** The height of the bars' rows. */
  height: number;
  max: number;
  children: ComponentChildren;
}

export function HorizontalBarChart({ summary, width, axisTitle, tickSuffix = '', left, plot, height, max, children }: FrameProps) {
  const total = height + AXIS + (axisTitle === undefined ? 0 : AXIS_TITLE);
  const all = ticks(max);
  return (
    <svg class="chart" role="img" aria-label={summary} viewBox={`0 0 ${width} ${total}`} width={width} height={total}>
      {all.map((tick, index) => {
        const x = left + tickPosition(tick, max, plot);
        // The first and last numbers sit inside the drawing, not half outside it.
        const anchor = index === 0 ? 'start' : index === all.length - 1 ? 'end' : 'middle';
        return (
          <g key={tick} class="grid">
            <line x1={x} x2={x} y1={0} y2={height} />
            <text x={x} y={height + 16} text-anchor={anchor}>
              {tick}
              {tickSuffix}
            </text>
          </g>
        );
      })}
      {axisTitle !== undefined && (
        <text class="axis-title" x={left + plot} y={height + AXIS + 12} text-anchor="end">
          {axisTitle}
        </text>
      )}
      {children}
    </svg>
  );
}

/** A worded row: its words on a line, its bar below them. */
export const WORDED_LEFT = 4;
export const WORDED_ROW = 42;
const LABEL_Y = 13;
const BAR_Y = 19;

interface WordedBarProps {
  index: number;
  label: string;
  length: number;
  thickness: number;
  /** The bar's class; none drawn for null (a row with no value, said in words instead). */
  barClass: string | null;
  value: ComponentChildren;
  valueClass: string;
  /** From the bar's end to its value. */
  valueGap: number;
}

export function WordedBar({ index, label, length, thickness, barClass, value, valueClass, valueGap }: WordedBarProps) {
  const top = index * WORDED_ROW;
  return (
    <g>
      <text class="label" x={WORDED_LEFT} y={top + LABEL_Y}>
        {label}
      </text>
      {barClass !== null && <rect class={barClass} x={WORDED_LEFT} y={top + BAR_Y} width={length} height={thickness} />}
      <text class={valueClass} x={WORDED_LEFT + length + valueGap} y={top + BAR_Y + thickness / 2} dominant-baseline="middle">
        {value}
      </text>
    </g>
  );
}
