/**
 * The report's window picker: From and To dates and the preset windows. It
 * holds nothing of its own beyond what is typed: a submitted window goes
 * into the URL (navigate), which is where the page reads it from.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { datesProblem, presets, reportRoute, sameChoice, type WindowChoice } from './report-window';

export interface WindowPickerProps {
  choice: WindowChoice;
  /** The dates the form starts with: the URL's, else those of the answered window; empty while unknown. */
  from: string;
  to: string;
  /** The report's zone (today's date for "Last 7 days"). */
  timeZone: string;
  navigate(route: string): void;
}

export function WindowPicker({ choice, from, to, timeZone, navigate }: WindowPickerProps) {
  const [problem, setProblem] = useState<{ field: 'from' | 'to'; message: string } | null>(null);
  const fromInput = useRef<HTMLInputElement>(null);
  const toInput = useRef<HTMLInputElement>(null);

  // The answered window's dates arrive after the first render: they fill a field
  // nobody has typed in yet, and never overwrite what a person typed.
  useEffect(() => {
    if (fromInput.current !== null && fromInput.current.value === '') fromInput.current.value = from;
    if (toInput.current !== null && toInput.current.value === '') toInput.current.value = to;
  }, [from, to]);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const fromText = String(data.get('from') ?? '');
    const toText = String(data.get('to') ?? '');
    const found = datesProblem(fromText, toText);
    setProblem(found);
    if (found !== null) {
      // The summary is announced (role=alert); focus goes to the field to fix.
      form.querySelector<HTMLInputElement>(`#report-${found.field}`)?.focus();
      return;
    }
    navigate(reportRoute({ kind: 'dates', from: fromText, to: toText }));
  };

  const focusField = (event: Event) => {
    // The page's routes live in the hash: jump to the field without changing the route.
    event.preventDefault();
    if (problem !== null) document.getElementById(`report-${problem.field}`)?.focus();
  };

  const invalid = (field: 'from' | 'to') => (problem?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': 'report-window-problem' } : {});

  return (
    <section class="report-window no-print" aria-labelledby="report-window-heading">
      <h2 id="report-window-heading">Window</h2>
      {problem !== null && (
        <div class="error-summary" role="alert">
          <p>
            <strong>There is a problem with the window:</strong>{' '}
            <a href={`#report-${problem.field}`} id="report-window-problem" onClick={focusField}>
              {problem.message}
            </a>
          </p>
        </div>
      )}
      <form class="report-window-form" onSubmit={onSubmit} noValidate>
        <div class="field">
          <label for="report-from">From</label>
          <input ref={fromInput} id="report-from" name="from" type="date" defaultValue={from} required {...invalid('from')} />
        </div>
        <div class="field">
          <label for="report-to">To (included)</label>
          <input ref={toInput} id="report-to" name="to" type="date" defaultValue={to} required {...invalid('to')} />
        </div>
        <button type="submit">Show report</button>
      </form>
      <nav aria-label="Preset windows">
        <ul class="report-presets">
          {presets(new Date(), timeZone).map((preset) => (
            <li key={preset.label}>
              <a href={`#${reportRoute(preset.choice)}`} aria-current={sameChoice(preset.choice, choice) ? 'page' : undefined}>
                {preset.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </section>
  );
}
