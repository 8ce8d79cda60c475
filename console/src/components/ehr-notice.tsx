/**
 * On a follow-up page's first screen (CONTRACT §13, issues 69 and 70): what
 * the EHR did. Work done there and applied here, while it is the news ("Closed
 * in the EHR by Practitioner/123, 2026-11-27 10:42 EST (15:42 UTC)"); and when
 * the EHR side needs a person (its Task refused by the FHIR server, a change
 * there not applied here, changed in both places, deleted there), what
 * happened, who did it, when, why, and what they can do. Nothing otherwise: a
 * write in flight or waiting to be sent again is a quiet line in the Facts
 * (lib/ehr-status.ts), never a warning here.
 *
 * On a phone (issue 84 item 8) the notice is one line, its title, with a
 * "More" button (aria-expanded) that shows the rest, so that Take it and one
 * more action stay on the first screen; on a wider screen the button is not
 * shown and the notice is whole (follow-up.css). Everything past the title is
 * the rest: a button the notice offers goes there too.
 */
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ehrNewsWords, ehrNoticeWords } from '../lib/ehr-status';
import type { LoadedFollowUp } from './use-follow-up-load';

/** `action`: what the notice offers to do (a conflict's "Close as the EHR did", ehr-decision.tsx), shown after what you can do. */
export function EhrNotice({ loaded, action }: { loaded: Pick<LoadedFollowUp, 'fhir' | 'history' | 'updatedAt'>; action?: ComponentChildren }) {
  const [more, setMore] = useState(false);
  const news = ehrNewsWords(loaded.fhir, loaded.history);
  const words = ehrNoticeWords(loaded.fhir, loaded.history, loaded.updatedAt ?? new Date());
  return (
    <>
      {news && <p class="notice ehr-news">{news}.</p>}
      {words && (
        <section class={`notice notice-warning ehr-notice${more ? ' more' : ''}`} aria-labelledby="ehr-notice-title">
          <div class="ehr-notice-line">
            <h2 id="ehr-notice-title">{words.title}</h2>
            <button type="button" class="ehr-more secondary" aria-expanded={more} aria-controls="ehr-notice-rest" onClick={() => setMore(!more)}>
              More
            </button>
          </div>
          <div id="ehr-notice-rest" class="ehr-notice-rest">
            <p>
              {words.when && `${words.when}. `}
              {words.why}
            </p>
            {words.todo && (
              <p>
                <strong>What you can do:</strong> {words.todo}
              </p>
            )}
            {action}
          </div>
        </section>
      )}
    </>
  );
}
