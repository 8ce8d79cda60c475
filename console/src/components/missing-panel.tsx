/**
 * "What is missing and why" on a follow-up's page (CONTRACT §9 `missing`,
 * `attention`): the order whose results are missing, its status and detail in
 * words (the codes beside them), how many markers and their failure types in
 * words (on the follow-up's first screen, issue 58), and the choices a person
 * has (further down). Counts and codes only: the tracker never knows which
 * markers are missing, so nothing here could name one.
 */
import type { ComponentChildren } from 'preact';
import { allNonFailure, attentionWords, failureTypesWords, missingStatusWords, statusDetailWords } from '../../../functions/core/missing-words';
import type { FollowUp } from '../lib/types';
import { closeChoices } from '../lib/words';

/** `raisedBy`: the order whose end raised the attention (components/raised-by.tsx), said first (issue 72). */
export function MissingPanel({ followUp, raisedBy }: { followUp: FollowUp; raisedBy?: ComponentChildren }) {
  const missing = followUp.missing ?? null;
  if (missing === null && followUp.attention === null) return null;
  return (
    <section class="panel missing" aria-labelledby="missing-title">
      <h2 id="missing-title">What is missing and why</h2>
      {followUp.attention && (
        <p>
          A person decides what happens next: {attentionWords(followUp.attention)} <span class="muted">({followUp.attention})</span>.
        </p>
      )}
      {raisedBy}
      {missing === null ? (
        <p>Not known yet: the tracker has not worked out which order is missing results.</p>
      ) : (
        <dl class="facts">
          <dt>Order</dt>
          <dd>{missing.order_id}</dd>
          <dt>Its status</dt>
          <dd>
            {missingStatusWords(missing.status)} <span class="muted">({missing.status})</span>
          </dd>
          <dt>Why, per the lab</dt>
          <dd>
            {missing.status_detail === null ? (
              'No detail given'
            ) : (
              <>
                {statusDetailWords(missing.status_detail)} <span class="muted">({missing.status_detail})</span>
              </>
            )}
          </dd>
          <dt>Markers missing</dt>
          <dd>{missing.markers === null ? 'Not read yet from Junction' : missing.markers === 1 ? '1 marker' : `${missing.markers} markers`}</dd>
          <dt>Failure types</dt>
          <dd>{missing.failure_types === null ? 'Not known' : failureTypesWords(missing.failure_types)}</dd>
        </dl>
      )}
    </section>
  );
}

/** The choices a person has about a follow-up with an attention, while it is open; nothing otherwise. */
export function MissingChoices({ followUp }: { followUp: FollowUp }) {
  const missing = followUp.missing ?? null;
  const open = followUp.state !== 'closed';
  const partial = missing !== null && allNonFailure(missing.failure_types);
  return (
    <>
      {open && followUp.attention && (
        <>
          <h3 id="choices-title">Your choices</h3>
          <ul aria-labelledby="choices-title">
            <li>
              Re-order the test through Junction's dashboard (a new order, with its own transaction): paste the order id {missing?.order_id ?? followUp.redraw_order_id ?? followUp.initial_order_id ?? ''} into
              its order search. Junction redraws once per transaction, so no other redraw will come for this one. Then close this follow-up as reordered at
              Junction, with the new order's id as its reference.
            </li>
            <li>
              Or close this follow-up with a disposition (the Close button above):{' '}
              {partial ? 'every missing marker should not affect the patient, so the clinician may accept partial results; ' : ''}
              {Object.entries(closeChoices(followUp))
                .flatMap(([disposition, words]) => (disposition === 'reordered' ? [] : [words]))
                .join(', ')
                .toLowerCase()}
              .
            </li>
          </ul>
        </>
      )}
    </>
  );
}
