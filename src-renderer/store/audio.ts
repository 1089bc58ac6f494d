// Listening plays and speaking recordings as the candidate's screen knows them. The station owns both
// limits: a play is granted (or refused) by grantAudioPlay and handed back by returnAudioPlay, a take
// by startRecording. The counts kept here are the station's replies since the screen loaded; earlier
// ones come from the attempt view.
import { createStore } from 'zustand/vanilla';
import type { AttemptView } from '../../src-shared/contracts/station-api.ts';

/** Plays of a recording that count, and its limit. */
export interface PlayCount {
  used: number;
  limit: number;
}

export type Take = AttemptView['recordings'][number];

export interface AudioStoreState {
  plays: Record<string, PlayCount>;
  /** Takes per speaking item, in take order. */
  takes: Record<string, Take[]>;
  /** The item whose recording (or preparation) is under way: navigation waits for it. */
  busyItem: string | null;
  /** The listening recording whose play is under way (asked for, or sounding): leaving its task asks first. */
  playing: string | null;
  /** Speaking answers that look silent or too short: the candidate is asked before leaving them. */
  warnings: Record<string, 'silent' | 'short'>;
  notePlay(stimulusId: string, count: PlayCount): void;
  loadTakes(recordings: Take[]): void;
  setTake(take: Take): void;
  setBusy(itemId: string | null): void;
  /** A play of `stimulusId` began (on) or ended (off; only that recording's play is cleared). */
  setPlaying(stimulusId: string, on: boolean): void;
  setWarning(itemId: string, warning: 'silent' | 'short' | null): void;
}

export function createAudioStore() {
  return createStore<AudioStoreState>()((set) => ({
    plays: {},
    takes: {},
    busyItem: null,
    playing: null,
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
    setPlaying: (stimulusId, on) => set((s) => (on ? { playing: stimulusId } : s.playing === stimulusId ? { playing: null } : {})),
    setWarning: (itemId, warning) =>
      set((s) => {
        const warnings = { ...s.warnings };
        if (warning) warnings[itemId] = warning;
        else delete warnings[itemId];
        return { warnings };
      }),
  }));
}
