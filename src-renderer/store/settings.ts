// The candidate's display settings: interface language, text size, contrast. Kept in localStorage so a
// reload keeps them; they say nothing about answers, which live only in the station.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { translate, type TextKey, type UiLanguage } from '../text.ts';

export type TextSize = 'normal' | 'large' | 'larger';

export interface SettingsState {
  lang: UiLanguage;
  textSize: TextSize;
  highContrast: boolean;
  setLang(lang: UiLanguage): void;
  setTextSize(size: TextSize): void;
  setHighContrast(on: boolean): void;
}

const KEY = 'exam-station.settings';

function load(): Pick<SettingsState, 'lang' | 'textSize' | 'highContrast'> {
  const fallback = { lang: 'lv' as UiLanguage, textSize: 'normal' as TextSize, highContrast: false };
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (!raw) return fallback;
    const saved = JSON.parse(raw) as Partial<SettingsState>;
    return {
      lang: saved.lang === 'en' ? 'en' : 'lv',
      textSize: saved.textSize === 'large' || saved.textSize === 'larger' ? saved.textSize : 'normal',
      highContrast: saved.highContrast === true,
    };
  } catch {
    return fallback; // unreadable settings only cost the candidate their display choice
  }
}

export const settingsStore = createStore<SettingsState>()((set, get) => {
  const persist = (): void => {
    const { lang, textSize, highContrast } = get();
    globalThis.localStorage?.setItem(KEY, JSON.stringify({ lang, textSize, highContrast }));
  };
  return {
    ...load(),
    setLang: (lang) => {
      set({ lang });
      persist();
    },
    setTextSize: (textSize) => {
      set({ textSize });
      persist();
    },
    setHighContrast: (highContrast) => {
      set({ highContrast });
      persist();
    },
  };
});

export function useSettings<T>(select: (s: SettingsState) => T): T {
  return useStore(settingsStore, select);
}

/** The text function for the chosen interface language. */
export function useText(): (key: TextKey, vars?: Record<string, string | number>) => string {
  const lang = useSettings((s) => s.lang);
  return (key, vars) => translate(lang, key, vars);
}
