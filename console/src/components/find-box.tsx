/**
 * Find by any id (CONTRACT §12, "Working a shift"): a box on every page that
 * takes a follow-up, transaction or order id and opens its follow-up, or says
 * in words what the id is when there is none. Only a whole id goes out, in
 * any case and lowercased (lib/find.ts wholeId): anything else typed is
 * answered in words and nothing is read.
 */
import { useRef, useState } from 'preact/hooks';
import type { Get } from '../lib/http';
import { findFollowUp, foundWords, readFindId } from '../lib/find';
import { errorWords } from '../lib/load';
import { followUpHref } from '../lib/route';

type Message = { kind: 'status' | 'alert'; words: string } | null;

export function FindBox({ get, navigate }: { get: Get; navigate: (to: string) => void }) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const typed = readFindId(text);
    if ('problem' in typed) {
      setMessage({ kind: 'alert', words: typed.problem });
      input.current?.focus();
      return;
    }
    const { id } = typed;
    setBusy(true);
    setMessage({ kind: 'status', words: `Looking up ${id}…` });
    try {
      const found = await findFollowUp(get, id);
      const words = foundWords(found);
      if (words !== null) {
        setMessage({ kind: 'alert', words });
        return;
      }
      setText('');
      setMessage(null);
      const target = followUpHref(found.id);
      // Already on it: the route does not change, so the shell moves no focus; the heading takes it here.
      if (window.location.hash === target) document.querySelector<HTMLElement>('main h1')?.focus();
      else navigate(target.slice(1));
    } catch (error) {
      setMessage({ kind: 'alert', words: `Could not look up ${id}: ${errorWords(error)}` });
    } finally {
      setBusy(false);
    }
  };

  const problem = message?.kind === 'alert';
  return (
    <form class="find-box" role="search" aria-label="Find by id" noValidate onSubmit={(event) => void submit(event)}>
      <label for="find-id">Find a follow-up by follow-up, transaction or order id</label>
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
      <p class="find-status" role="status">
        {message?.kind === 'status' ? message.words : ''}
      </p>
      {problem && (
        <p class="find-alert" id="find-alert" role="alert">
          {message.words}
        </p>
      )}
    </form>
  );
}
