/**
 * Find by any id (CONTRACT §12, "Working a shift"): a box on every page that
 * takes a follow-up, transaction or order id and opens its follow-up, or says
 * in words what the id is when there is none. Only a whole id goes out, in
 * any case and lowercased (lib/find.ts wholeId). The short id the lists show
 * (its first 8 characters, any case) is resolved in the browser
 * (lib/short-id.ts): one follow-up opens, several are listed to choose from.
 * Anything else typed is answered in words and nothing is read. A failed
 * find says so in place; opening another page (`page`) clears its notice and
 * what was typed, and takes the focus out of the box; `/` (focusFind) gives
 * an empty box (issue 72).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Get } from '../lib/http';
import { findFollowUp, foundWords, readFindId, shortIdWords } from '../lib/find';
import { errorWords } from '../lib/load';
import { followUpHref } from '../lib/route';
import { resolveShortId, SEEN, type ShortIdMatch } from '../lib/short-id';
import { FindChoices } from './find-choices';

type Message = { kind: 'status' | 'alert'; words: string } | null;
/** What the box shows under it: a message, and the follow-ups a short id several share leads to. */
interface Answer {
  message: Message;
  choices: ShortIdMatch[];
}

/** Where a typed id leads: the follow-up to open, or the words to say (with the follow-ups a short id several share leads to). */
async function lookUp(get: Get, typed: { id: string } | { short: string }, progress: (words: string) => void): Promise<{ open: string } | { say: string; choices: ShortIdMatch[] }> {
  if ('id' in typed) {
    const found = await findFollowUp(get, typed.id);
    const words = foundWords(found);
    return words === null ? { open: found.id } : { say: words, choices: [] };
  }
  const answer = await resolveShortId(get, typed.short, SEEN, (paged) => progress(`Looking through the open and recently closed follow-ups for ${typed.short}: ${paged} read…`));
  if (answer.matches.length === 1) return { open: answer.matches[0]!.followUp.id };
  return { say: shortIdWords(typed.short, answer), choices: answer.matches };
}

/** Opens a follow-up's page; already on it, the route does not change, so the shell moves no focus: the heading takes it here. */
function openFollowUp(id: string, navigate: (to: string) => void): void {
  const target = followUpHref(id);
  if (window.location.hash === target) document.querySelector<HTMLElement>('main h1')?.focus();
  else navigate(target.slice(1));
}

/** The event focusFind sends the box before focusing it: what was typed and said goes. */
export const FIND_AFRESH = 'find-afresh';

/**
 * Calls `afresh` when another page opens (and takes the focus out of the box, should it
 * hold it: the shell gives it to the page's h1) and when focusFind asks for an empty box.
 */
function useAfresh(page: string, input: { current: HTMLInputElement | null }, afresh: () => void): void {
  const first = useRef(true);
  // A layout effect: run in the commit that shows the new page, before the browser takes any input. A passive
  // effect waits for a frame (up to 100 ms under load), so an id typed on the new page in that time was
  // submitted and then its look-up discarded as a look-up of the page before.
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    afresh();
    if (document.activeElement === input.current) input.current?.blur();
  }, [page]);
  useEffect(() => {
    const box = input.current;
    box?.addEventListener(FIND_AFRESH, afresh);
    return () => box?.removeEventListener(FIND_AFRESH, afresh);
  }, []);
}

export function FindBox({ get, navigate, page }: { get: Get; navigate: (to: string) => void; page: string }) {
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<Answer>({ message: null, choices: [] });
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // Counts the fresh starts: a look-up that ends after the person moved on says nothing.
  const round = useRef(0);
  const say = (kind: 'status' | 'alert', words: string, choices: ShortIdMatch[] = []) => setAnswer({ message: { kind, words }, choices });
  useAfresh(page, input, () => {
    round.current++;
    setText('');
    setAnswer({ message: null, choices: [] });
    setBusy(false);
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const typed = readFindId(text);
    if ('problem' in typed) {
      say('alert', typed.problem);
      input.current?.focus();
      return;
    }
    const what = 'id' in typed ? typed.id : typed.short;
    const mine = ++round.current;
    const current = () => round.current === mine;
    setBusy(true);
    say('status', `Looking up ${what}…`);
    try {
      const found = await lookUp(get, typed, (words) => current() && say('status', words));
      if (!current()) return;
      if ('open' in found) {
        setText('');
        setAnswer({ message: null, choices: [] });
        openFollowUp(found.open, navigate);
      } else if (found.choices.length > 1) say('status', found.say, found.choices);
      else say('alert', found.say);
    } catch (error) {
      if (current()) say('alert', `Could not look up ${what}: ${errorWords(error)}`);
    } finally {
      if (current()) setBusy(false);
    }
  };

  const problem = answer.message?.kind === 'alert';
  return (
    <form class="find-box" role="search" aria-label="Find by id" noValidate onSubmit={(event) => void submit(event)}>
      <label for="find-id">
        Find by id<span class="find-more">: a follow-up, transaction or order id, or the short id the lists show</span>
      </label>
      <div class="find-row">
        <input
          id="find-id"
          ref={input}
          type="text"
          name="id"
          autoComplete="off"
          spellcheck={false}
          value={text}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'find-alert' : undefined}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <button type="submit" class="find-button" aria-disabled={busy ? 'true' : undefined}>
          Find
        </button>
      </div>
      <FindAnswer
        answer={answer}
        onChosen={() => {
          setText('');
          setAnswer({ message: null, choices: [] });
        }}
      />
    </form>
  );
}

/** What the box says under it: progress in a status, a failed find in an alert (in place), the follow-ups a short id several share. */
function FindAnswer({ answer: { message, choices }, onChosen }: { answer: Answer; onChosen: () => void }) {
  return (
    <>
      <p class="find-status" role="status">
        {message?.kind === 'status' ? message.words : ''}
      </p>
      {message?.kind === 'alert' && (
        <p class="find-alert" id="find-alert" role="alert">
          {message.words}
        </p>
      )}
      {choices.length > 1 && <FindChoices choices={choices} onChosen={onChosen} />}
    </>
  );
}
