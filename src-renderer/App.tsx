// The candidate's seat: one StationApi, the seat's stores around it (one Exam, handed down in context),
// and the screen the attempt is on. Which screen is decided from the station's record of the attempt,
// so a reload or a station restart lands on the same place.
import { useEffect, useMemo } from 'react';
import type { StationApi } from '../src-shared/contracts/station-api.ts';
import { createExam, ExamContext, useAttempt } from './store/exam.ts';
import { useSettings, useText } from './store/settings.ts';
import { Frame } from './ui/frame.tsx';
import { StaffStart } from './screens/StaffStart.tsx';
import { EquipmentScreen, IdentityScreen, InstructionsScreen } from './screens/Preflight.tsx';
import { PartIntro } from './screens/PartIntro.tsx';
import { PartScreen } from './screens/PartScreen.tsx';
import { EndScreen } from './screens/EndScreen.tsx';
import { AwaitingAuthorisationScreen, SeatWaitingScreen } from './screens/SeatWaiting.tsx';

function Screens() {
  const t = useText();
  const screen = useAttempt((s) => s.screen);
  switch (screen) {
    case 'loading':
      return (
        <Frame title={t('loading')} heading>
          <p className="card" aria-busy="true">
            {t('loading')}
          </p>
        </Frame>
      );
    case 'staff':
      return <StaffStart />;
    case 'waiting':
      return <SeatWaitingScreen />;
    case 'identity':
      return <IdentityScreen />;
    case 'awaiting-authorisation':
      return <AwaitingAuthorisationScreen />;
    case 'instructions':
      return <InstructionsScreen />;
    case 'equipment':
      return <EquipmentScreen />;
    case 'part-intro':
      return <PartIntro />;
    case 'part':
      return <PartScreen />;
    case 'end':
      return <EndScreen />;
  }
}

/** Display settings belong on the document so the whole page (dialogs included) follows them. */
function useDocumentSettings(): void {
  const lang = useSettings((s) => s.lang);
  const textSize = useSettings((s) => s.textSize);
  const highContrast = useSettings((s) => s.highContrast);
  useEffect(() => {
    const root = document.documentElement;
    root.lang = lang;
    root.dataset.textSize = textSize;
    root.dataset.contrast = highContrast ? 'high' : 'normal';
  }, [lang, textSize, highContrast]);
}

/**
 * `kiosk`: a room's seat, whose candidate comes from the hub (no invigilator step on this screen);
 * `inRoom`: the station is a seat of a room, so a raised hand reaches the hub's console.
 */
export function App({ station, kiosk = false, inRoom = false }: { station: StationApi; kiosk?: boolean; inRoom?: boolean }) {
  const exam = useMemo(() => createExam(station, { kiosk }), [station, kiosk]);
  useEffect(() => exam.attempt.setState({ inRoom }), [exam, inRoom]);
  useDocumentSettings();
  useEffect(() => {
    void exam.boot();
    return () => exam.dispose();
  }, [exam]);
  return (
    <ExamContext.Provider value={exam}>
      <Screens />
    </ExamContext.Provider>
  );
}
