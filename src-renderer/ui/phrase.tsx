// An interface text with exam content inside it ("Submit the part „Lasīšana”?"): the content keeps its
// own language, so a screen reader in the English interface reads the part's name as Latvian.
import { Fragment, type ReactNode } from 'react';
import { useSettings } from '../store/settings.ts';
import { fill, type TextKey } from '../text.ts';

export function Phrase({ k, vars }: { k: TextKey; vars: Record<string, string | number | ReactNode> }) {
  const lang = useSettings((s) => s.lang);
  return (
    <>
      {fill<ReactNode>(lang, k, vars).map((part, i) => (
        <Fragment key={i}>{part}</Fragment>
      ))}
    </>
  );
}

/** Exam content shown inside the interface: always Latvian. */
export function Content({ children }: { children: string }) {
  return <span lang="lv">{children}</span>;
}
