// The package's paste policy for every text answer (short text, free gaps, numbers, extended writing):
// with `block`, pasting and dropping text into the field are refused and the candidate is told why.
// The message belongs to the refused paste: it goes as soon as the candidate types in the field again,
// and with the item (each item's view is mounted afresh), so it never outlives its cause.
import { useState, type ClipboardEvent, type DragEvent } from 'react';
import { useAttempt } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { useInViewWhenShown } from '../ui/in-view.ts';

export interface PasteGuard {
  /** Spread on the text field: refuses a paste or a drop when the package blocks them. */
  fieldProps: { onPaste: (e: ClipboardEvent) => void; onDrop: (e: DragEvent) => void };
  /** A paste was refused and the candidate has not typed since. */
  refused: boolean;
  /** Call on every edit of the field: typing again ends the message. */
  typed: () => void;
}

export function usePasteGuard(): PasteGuard {
  const policy = useAttempt((s) => s.content?.pastePolicy ?? 'block');
  const [refused, setRefused] = useState(false);
  const refuse = (e: { preventDefault: () => void }) => {
    if (policy === 'allow') return;
    e.preventDefault();
    setRefused(true);
  };
  return { fieldProps: { onPaste: refuse, onDrop: refuse }, refused, typed: () => setRefused(false) };
}

/** "Pasting is not allowed", shown right under the field it was refused in, and brought into view. */
export function PasteRefused({ guard }: { guard: PasteGuard }) {
  const t = useText();
  const ref = useInViewWhenShown<HTMLParagraphElement>(guard.refused);
  return guard.refused ? (
    <p className="warn paste-refused" role="alert" ref={ref} data-testid="paste-refused">
      ⚠ {t('pasteBlocked')}
    </p>
  ) : null;
}
