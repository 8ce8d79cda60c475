/**
 * Asks once for the person's handle (locally the console has no login, CONTRACT
 * §12): checked against §9's character set, the reserved names refused in words,
 * the known owners offered. Its field has the focus when it appears: the
 * person types at once (issue 72).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { checkHandle } from '../lib/handle';
import { asCounts } from '../lib/types';
import { ErrorSummary } from './error-summary';

export function HandlePrompt({ api, current, onChosen, onCancel }: { api: Api; current: string | null; onChosen: (handle: string) => void; onCancel: (() => void) | null }) {
  const [value, setValue] = useState(current ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [owners, setOwners] = useState<string[]>([]);
  const field = useRef<HTMLInputElement>(null);

  // After the shell's focus on the h1 (a layout effect), so the field keeps it.
  useEffect(() => field.current?.focus(), []);

  useEffect(() => {
    api.get('/follow-ups/counts').then(
      (body) => setOwners(asCounts(body).owners.map((row) => row.owner)),
      () => setOwners([]),
    );
  }, [api]);

  const submit = (event: Event) => {
    event.preventDefault();
    const handle = value.trim();
    const wrong = checkHandle(handle, { given: true });
    setProblem(wrong);
    if (wrong === null) onChosen(handle);
    else window.setTimeout(() => document.getElementById('error-summary')?.focus(), 0);
  };

  return (
    <>
      <h1 tabIndex={-1}>Who is working?</h1>
      <p>The console records your actions under your handle. It is kept in this browser until you change it.</p>
      {problem && <ErrorSummary errors={[{ field: 'handle', message: problem }]} />}
      <form onSubmit={submit} noValidate>
        <div class={problem ? 'field field-error' : 'field'}>
          <label for="field-handle">Your handle</label>
          <p class="hint" id="handle-hint">
            Letters, digits and . _ @ : / + = , - (for example ana.lopez)
          </p>
          {problem && (
            <p class="error-message" id="handle-error">
              <span class="visually-hidden">Error: </span>
              {problem}
            </p>
          )}
          <input
            id="field-handle"
            ref={field}
            name="handle"
            type="text"
            autoComplete="username"
            spellcheck={false}
            list="known-owners"
            value={value}
            aria-describedby={problem ? 'handle-hint handle-error' : 'handle-hint'}
            aria-invalid={problem ? 'true' : undefined}
            onInput={(event) => setValue(event.currentTarget.value)}
          />
          <datalist id="known-owners">
            {owners.map((owner) => (
              <option key={owner} value={owner} />
            ))}
          </datalist>
        </div>
        <div class="button-row">
          <button type="submit">Continue</button>
          {onCancel && (
            <button type="button" class="secondary" onClick={onCancel}>
              Keep {current}
            </button>
          )}
        </div>
      </form>
    </>
  );
}
