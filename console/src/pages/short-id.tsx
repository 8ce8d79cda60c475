/**
 * `#/follow-ups/<short id>` (CONTRACT §12, "Working a shift"): the short id the lists
 * show, resolved in the browser only (lib/short-id.ts), as the find box does. One
 * follow-up: its page replaces this one (the query kept); none, or several: said in
 * words, the several listed to choose from. The short id never goes out.
 */
import { useEffect, useState } from 'preact/hooks';
import { FindChoices } from '../components/find-choices';
import { shortIdWords } from '../lib/find';
import type { Get } from '../lib/http';
import { errorWords } from '../lib/load';
import { followUpHref } from '../lib/route';
import { resolveShortId, SEEN, type ShortIdMatch } from '../lib/short-id';

export function ShortIdPage({ get, short, search }: { get: Get; short: string; search: URLSearchParams }) {
  const [said, setSaid] = useState<{ words: string; choices: ShortIdMatch[] }>({ words: `Looking for the follow-up whose id begins ${short}…`, choices: [] });
  useEffect(() => {
    let live = true;
    resolveShortId(get, short, SEEN).then(
      (answer) => {
        if (!live) return;
        if (answer.matches.length === 1) window.location.replace(followUpHref(answer.matches[0]!.followUp.id, search));
        else setSaid({ words: shortIdWords(short, answer), choices: answer.matches });
      },
      (error: unknown) => live && setSaid({ words: errorWords(error), choices: [] }),
    );
    return () => {
      live = false;
    };
  }, [get, short]);
  return (
    <>
      <h1 tabIndex={-1}>Follow-up {short}…</h1>
      <p role="status">{said.words}</p>
      {said.choices.length > 0 ? <FindChoices choices={said.choices} onChosen={() => undefined} /> : null}
    </>
  );
}
