/** GOV.UK's error summary: what is wrong, each linking to its field (focus moves there, not the hash). */
import type { FieldError } from '../lib/actions';

export function ErrorSummary({ errors, idPrefix = 'field-' }: { errors: readonly FieldError[]; idPrefix?: string }) {
  return (
    <div class="error-summary" id="error-summary" role="alert" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {errors.map((error) => (
          <li key={error.field}>
            <a
              href={`#${idPrefix}${error.field}`}
              onClick={(event) => {
                event.preventDefault();
                document.getElementById(`${idPrefix}${error.field}`)?.focus();
              }}
            >
              {error.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
