// A numeric answer: one field for a number as the candidate writes it (0,5 · 1/2 · −3 · 12 cm), the
// unit beside it when the item gives one, and a note once the candidate leaves the field if the text
// cannot be read as a number. The text is saved exactly as typed; the number is read when it is scored.
import { useId, useState } from 'react';
import type { Item } from '../../src-shared/content/schema.ts';
import { readNumber } from '../../src-shared/content/numeric.ts';
import { useAnswers, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { useRevealWhileTyping } from '../ui/in-view.ts';
import { PasteRefused, usePasteGuard } from './paste.tsx';

export function NumericItem({ item }: { item: Extract<Item, { type: 'numeric' }> }) {
  const t = useText();
  const exam = useExam();
  const stored = useAnswers((s) => s.values[item.id]);
  // The package's paste policy holds here as in every text answer.
  const paste = usePasteGuard();
  const block = useRevealWhileTyping<HTMLDivElement>();
  const id = useId();
  // Said after the field is left, not while "1/" or "0," is still being typed.
  const [left, setLeft] = useState(false);
  const text = stored?.type === 'numeric' ? stored.text : '';
  const unreadable = left && text.trim() !== '' && readNumber(text) === undefined;
  const describedBy = [item.unit ? `${id}-unit` : '', `${id}-help`, unreadable ? `${id}-unreadable` : ''].filter(Boolean).join(' ');
  return (
    <div className="stack-sm" ref={block.ref}>
      <label htmlFor={id}>{t('yourAnswer')}</label>
      <span className="numeric-field">
        {/* Not type="number": that refuses the decimal comma in some locales and every fraction. */}
        <input
          id={id}
          className="input input-numeric"
          value={text}
          inputMode="decimal"
          maxLength={item.maxLength}
          spellCheck={false}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          aria-describedby={describedBy}
          aria-invalid={unreadable || undefined}
          onFocus={block.reveal}
          onChange={(e) => {
            setLeft(false);
            paste.typed();
            exam.answers.edit(item.id, { type: 'numeric', text: e.target.value });
            block.reveal();
          }}
          onBlur={() => setLeft(true)}
          {...paste.fieldProps}
        />
        {item.unit && (
          <span id={`${id}-unit`} className="numeric-unit" lang="lv">
            {item.unit}
          </span>
        )}
      </span>
      <p id={`${id}-help`} className="hint">
        {t(item.unit ? 'numberHelpUnitShown' : 'numberHelp')}
      </p>
      {unreadable && (
        <p id={`${id}-unreadable`} className="warn" data-testid="number-unreadable">
          ⚠ {t('numberUnreadable')}
        </p>
      )}
      <PasteRefused guard={paste} />
    </div>
  );
}
