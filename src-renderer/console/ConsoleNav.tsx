// The console's pages: the room at a glance, the check-in desk and the seat plan, one button each; the
// page shown is marked for screen readers as the current one.
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';

export type ConsolePage = 'room' | 'check-in' | 'seat-plan';

const PAGES: [ConsolePage, TextKey][] = [
  ['room', 'consoleRoomTitle'],
  ['check-in', 'pageCheckIn'],
  ['seat-plan', 'pageSeatPlan'],
];

export function ConsoleNav({ page, onPage }: { page: ConsolePage; onPage: (page: ConsolePage) => void }) {
  const t = useText();
  return (
    <nav className="console-nav actions" aria-label={t('consolePages')}>
      {PAGES.map(([id, label]) => (
        <button key={id} type="button" className={`btn${page === id ? ' btn-primary' : ''}`} aria-current={page === id ? 'page' : undefined} onClick={() => onPage(id)}>
          {t(label)}
        </button>
      ))}
    </nav>
  );
}
