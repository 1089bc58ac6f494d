// The overview dialog of a part: every item with its task, whether it is answered and flagged, and a
// button to go to it. A modal <dialog>: Tab stays in it, Escape closes it.
import { isAnswered } from '../../src-shared/content/responses.ts';
import { useAnswers, useAttempt } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { Modal } from '../ui/frame.tsx';
import type { PlacedItem } from './part.ts';

export function Overview({ items, onGo, onClose }: { items: PlacedItem[]; onGo: (id: string) => void; onClose: () => void }) {
  const t = useText();
  const values = useAnswers((s) => s.values);
  const flags = useAttempt((s) => s.flags);
  const answered = items.filter(({ item }) => isAnswered(item, values[item.id])).length;
  return (
    <Modal labelledBy="overview-title" className="dialog-wide" focus=".overview button" onCancel={onClose} testId="overview-dialog">
      {/* The close button stays at the top of the dialog however far its list is scrolled. */}
      <div className="dialog-header">
        <h2 id="overview-title">{t('overviewTitle')}</h2>
        <button type="button" className="btn" onClick={onClose}>
          {t('closeOverview')}
        </button>
      </div>
      <p>{t('answeredCount', { a: answered, total: items.length })}</p>
      <table className="overview">
        <tbody>
          {items.map(({ item, task, number }) => (
            <tr key={item.id}>
              <td>
                <button type="button" className="btn btn-small" onClick={() => onGo(item.id)}>
                  {t('itemN', { n: number })}
                </button>
              </td>
              <td lang="lv" className="muted">
                {task.title}
              </td>
              <td>{isAnswered(item, values[item.id]) ? `✓ ${t('answered')}` : `○ ${t('unanswered')}`}</td>
              <td>{flags[item.id] ? `⚑ ${t('flagged')}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
