// The console's pages: the room at a glance, the check-in desk, the seat plan and the centre (the hub's
// link to the central API), one button each; the page shown is marked for screen readers as the current
// one. A page that needs a right the signed-in person does not hold is not offered.
import type { StaffRight } from '../../src-shared/rules/staff.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { useStaffSession } from './StaffSession.tsx';

export type ConsolePage = 'room' | 'check-in' | 'seat-plan' | 'centre';

const PAGES: [ConsolePage, TextKey, StaffRight?][] = [
  ['room', 'consoleRoomTitle'],
  ['check-in', 'pageCheckIn'],
  ['seat-plan', 'pageSeatPlan'],
  ['centre', 'pageCentre', 'central.sync'],
];

export function ConsoleNav({ page, onPage }: { page: ConsolePage; onPage: (page: ConsolePage) => void }) {
  const t = useText();
  const rights: readonly StaffRight[] = useStaffSession()?.session.rights ?? [];
  return (
    <nav className="console-nav actions" aria-label={t('consolePages')}>
      {PAGES.filter(([, , right]) => !right || rights.includes(right)).map(([id, label]) => (
        <button key={id} type="button" className={`btn${page === id ? ' btn-primary' : ''}`} aria-current={page === id ? 'page' : undefined} onClick={() => onPage(id)}>
          {t(label)}
        </button>
      ))}
    </nav>
  );
}
