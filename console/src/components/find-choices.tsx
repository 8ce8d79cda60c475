/**
 * The follow-ups a short id several share leads to (CONTRACT §12: "a short id
 * that several share listing them"): each a link by its whole id, with its
 * state, its owner and which of its ids the short id begins, to choose from.
 */
import { followUpHref } from '../lib/route';
import type { ShortIdMatch } from '../lib/short-id';
import { ownerWords, stateWords } from '../lib/words';

const VIA_WORDS: Record<ShortIdMatch['via'], string> = {
  'follow-up': 'its follow-up id',
  transaction: 'its transaction id',
  order: 'one of its order ids',
};

export function FindChoices({ choices, onChosen }: { choices: readonly ShortIdMatch[]; onChosen: () => void }) {
  return (
    <ul class="find-choices" aria-label="Follow-ups that share this short id">
      {choices.map(({ followUp, via }) => (
        <li key={followUp.id}>
          <a class="id" href={followUpHref(followUp.id)} onClick={onChosen}>
            {followUp.id}
          </a>{' '}
          <span>
            {stateWords(followUp.state)}, owner {ownerWords(followUp.owner)}, matched by {VIA_WORDS[via]}
          </span>
        </li>
      ))}
    </ul>
  );
}
