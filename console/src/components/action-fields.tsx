/**
 * The fields of the action forms, shared by a follow-up's forms and Bulk: a
 * choice from a fixed list, a short text (a handle, a reference) with the
 * handles known offered, and an error said in words beside its field.
 */
import type { ComponentChildren } from 'preact';

/** The field's error, named by `${id}-error`. */
export function Problem({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error-message" id={`${id}-error`}>
      <span class="visually-hidden">Error: </span>
      {message}
    </p>
  );
}

interface ChoiceProps {
  id: string;
  label: string;
  value: string;
  choices: Readonly<Record<string, string>>;
  onChange: (value: string) => void;
  /** The empty first choice's words; none when a choice is always made. */
  blank?: string;
  error?: string | undefined;
  /** The id of a hint that describes the field. */
  describedBy?: string | undefined;
}

export function ChoiceField({ id, label, value, choices, onChange, blank, error, describedBy }: ChoiceProps) {
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id}>{label}</label>
      <Problem id={id} message={error} />
      <select id={id} value={value} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : describedBy} onChange={(event) => onChange(event.currentTarget.value)}>
        {blank !== undefined && <option value="">{blank}</option>}
        {Object.entries(choices).map(([key, words]) => (
          <option key={key} value={key}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}

interface TextProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** Said under the label, named by `${id}-hint`. */
  hint?: ComponentChildren;
  error?: string | null | undefined;
  /** The handles offered as the person types, in a datalist of this id. */
  offered?: { list: string; values: readonly string[] };
}

export function TextField({ id, label, value, onInput, hint, error, offered }: TextProps) {
  const describedBy = [hint === undefined ? null : `${id}-hint`, error ? `${id}-error` : null].filter((part) => part !== null).join(' ');
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id}>{label}</label>
      {hint !== undefined && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <Problem id={id} message={error ?? undefined} />
      <input
        id={id}
        type="text"
        list={offered?.list}
        spellcheck={false}
        autoComplete="off"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {offered && (
        <datalist id={offered.list}>
          {offered.values.map((owner) => (
            <option key={owner} value={owner} />
          ))}
        </datalist>
      )}
    </div>
  );
}
