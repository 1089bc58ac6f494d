// Listening plays and speaking recordings as the candidate's screen knows them. The station owns both
// limits: a play is granted (or refused) by grantAudioPlay, a take by startRecording. The counts kept
// here are the plays granted since the screen loaded; earlier ones come from the attempt view.
import { createStore } from 'zustand/vanilla';
import type { BilingualText } from '../../src-shared/errors.ts';
import type { AttemptView } from '../../src-shared/contracts/station-api.ts';

export interface PlayCount {
  used: number;
  limit: number;
  refusal: BilingualText | null;
}

export type Take = AttemptView['recordings'][number];

export interface AudioStoreState {
  plays: Record<string, PlayCount>;
  /** Takes per speaking item, in take order. */
  takes: Record<string, Take[]>;
  /** The item whose recording (or preparation) is under way: navigation waits for it. */
  busyItem: string | null;
  /** Speaking answers that look silent or too short: the candidate is asked before leaving them. */
  warnings: Record<string, 'silent' | 'short'>;
  notePlay(stimulusId: string, count: PlayCount): void;
  loadTakes(recordings: Take[]): void;
  setTake(take: Take): void;
  setBusy(itemId: string | null): void;
  setWarning(itemId: string, warning: 'silent' | 'short' | null): void;
}

export function createAudioStore() {
  return createStore<AudioStoreState>()((set) => ({
    plays: {},
    takes: {},
    busyItem: null,
    warnings: {},
    notePlay: (stimulusId, count) => set((s) => ({ plays: { ...s.plays, [stimulusId]: count } })),
    loadTakes: (recordings) => {
      const takes: Record<string, Take[]> = {};
      for (const r of recordings) (takes[r.itemId] ??= []).push(r);
      for (const list of Object.values(takes)) list.sort((a, b) => a.take - b.take);
      set({ takes });
    },
    setTake: (take) =>
      set((s) => {
        const list = (s.takes[take.itemId] ?? []).filter((t) => t.recordingId !== take.recordingId);
        list.push(take);
        list.sort((a, b) => a.take - b.take);
        return { takes: { ...s.takes, [take.itemId]: list } };
      }),
    setBusy: (busyItem) => set({ busyItem }),
    setWarning: (itemId, warning) =>
      set((s) => {
        const warnings = { ...s.warnings };
        if (warning) warnings[itemId] = warning;
        else delete warnings[itemId];
        return { warnings };
      }),
  }));
}
