/**
 * The width a report chart has to draw in: its container's, in CSS pixels,
 * followed as the window is resized, so that a chart is drawn to the page's
 * width (its text staying at its own size) rather than scaled from a fixed
 * one. Before the first measure, and where nothing can be measured, the
 * fallback width is used.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** The narrowest a chart is drawn: below it the chart scrolls in its own region rather than squeezing its words. */
export const MIN_CHART_WIDTH = 300;
/** The width drawn before the container is measured. */
const FALLBACK_WIDTH = 480;

/** A ref for the chart's container, and the width to draw at (whole pixels, at least MIN_CHART_WIDTH). */
export function useChartWidth(): [{ current: HTMLDivElement | null }, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const measure = () => setWidth(Math.max(MIN_CHART_WIDTH, Math.floor(element.clientWidth)));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
