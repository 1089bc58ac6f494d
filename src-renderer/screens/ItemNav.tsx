// The list of a part's items beside the item screen: each says in words whether it is answered,
// flagged and current, and shows an edit the station has not acknowledged yet.
import { isAnswered } from '../../src-shared/content/responses.ts';
import { useAnswers, useAttempt } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import type { PlacedItem } from './part.ts';

export function ItemNav({ items, currentId, onGo }: { items: PlacedItem[]; currentId: string | null; onGo: (id: string) => void }) {
  const t = useText();
  // A string of answered marks, so typing re-renders the list only when an item changes state.
  const marks = useAnswers((s) => items.map(({ item }) => (isAnswered(item, s.values[item.id]) ? '1' : '0')).join(''));
  const unsaved = useAnswers((s) => s.unsaved);
  const flags = useAttempt((s) => s.flags);
  return (
    <nav className="item-nav" aria-label={t('itemsNav')}>
      <ol>
        {items.map(({ item, number }, i) => {
          const answered = marks[i] === '1';
          const flagged = Boolean(flags[item.id]);
          const current = item.id === currentId;
          const state = [answered ? t('answered') : t('unanswered'), flagged ? t('flagged') : null, current ? t('current') : null].filter(Boolean).join(', ');
          return (
            <li key={item.id}>
              <button
                type="button"
                className={`nav-item${answered ? ' is-answered' : ''}${flagged ? ' is-flagged' : ''}${current ? ' is-current' : ''}`}
                aria-current={current ? 'step' : undefined}
                aria-label={`${t('itemN', { n: number })}: ${state}`}
                title={state}
                onClick={() => onGo(item.id)}
                data-testid={`nav-${item.id}`}
              >
                <span className="nav-n">{number}</span>
                <span className="nav-mark" aria-hidden="true">
                  {answered ? '✓' : '○'}
                  {flagged && <span className="nav-flag">⚑</span>}
                </span>
                {unsaved[item.id] && (
                  <span className="nav-unsaved" aria-hidden="true">
                    …
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
