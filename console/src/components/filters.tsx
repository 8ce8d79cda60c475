/**
 * The state and owner filters (kept in the URL), and the report's age filter
 * shown as removable. On the worklist only the filters that can match in its
 * queue (url-state.ts filtersFor); Bulk offers both as before.
 */
import { useState } from 'preact/hooks';
import { AGE_WORDS, DEFAULT_QUEUE, filtersFor, routeFor, STATES, type StateFilter, type WorklistState } from '../lib/url-state';
import { stateWords } from '../lib/words';

export function Filters({ page, state, owners, navigate }: { page: 'worklist' | 'bulk'; state: WorklistState; owners: readonly string[]; navigate: (route: string) => void }) {
  const [stateFilter, setStateFilter] = useState<string>(state.state ?? '');
  const [owner, setOwner] = useState<string>(state.owner ?? '');
  const can = page === 'worklist' ? filtersFor(state.queue ?? DEFAULT_QUEUE) : { states: STATES, owner: true };
  const known = state.owner !== undefined && !owners.includes(state.owner) ? [state.owner, ...owners] : owners;
  const apply = (event: Event) => {
    event.preventDefault();
    const next: WorklistState = { queue: state.queue ?? DEFAULT_QUEUE };
    if (stateFilter && can.states.length > 0) next.state = stateFilter as StateFilter;
    if (owner && can.owner) next.owner = owner;
    if (state.age) next.age = state.age;
    if (state.ehr) next.ehr = state.ehr;
    navigate(routeFor(page, next));
  };
  const withoutAge: WorklistState = { ...state };
  delete withoutAge.age;
  delete withoutAge.cursor;
  const withoutEhr: WorklistState = { ...state };
  delete withoutEhr.ehr;
  delete withoutEhr.cursor;
  return (
    <>
      <form class="filters" onSubmit={apply} aria-label="Filters">
        {can.states.length > 0 && (
          <div class="field">
            <label for={`${page}-filter-state`}>State</label>
            <select id={`${page}-filter-state`} value={stateFilter} onChange={(event) => setStateFilter(event.currentTarget.value)}>
              <option value="">Any state</option>
              {can.states.map((value) => (
                <option key={value} value={value}>
                  {stateWords(value)}
                </option>
              ))}
            </select>
          </div>
        )}
        {can.owner && (
          <div class="field">
            <label for={`${page}-filter-owner`}>Owner</label>
            <select id={`${page}-filter-owner`} value={owner} onChange={(event) => setOwner(event.currentTarget.value)}>
              <option value="">Anyone</option>
              {known.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
        )}
        {(can.states.length > 0 || can.owner) && <button type="submit">Apply filters</button>}
      </form>
      {state.age && (
        <p class="active-filter">
          Only follow-ups {AGE_WORDS[state.age]}.{' '}
          <a href={`#${routeFor(page, withoutAge)}`}>
            Remove filter<span class="visually-hidden">: {AGE_WORDS[state.age]}</span>
          </a>
        </p>
      )}
      {state.ehr && (
        <p class="active-filter">
          Only follow-ups whose EHR work needs a person.{' '}
          <a href={`#${routeFor(page, withoutEhr)}`}>
            Remove filter<span class="visually-hidden">: EHR needs you</span>
          </a>
        </p>
      )}
    </>
  );
}
