// One item of any type from the content format, with its answer control. Every edit goes to the
// answers store, which sends it to the station; the value shown is the store's (station's) value.
import { useId, useState, type ComponentType } from 'react';
import type { Item, ItemType } from '../../src-shared/content/schema.ts';
import { countWords, type ResponseValue } from '../../src-shared/content/responses.ts';
import { useAnswers, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { Announce } from '../ui/frame.tsx';
import { SpeakingItem } from './SpeakingItem.tsx';
import { NumericItem } from './NumericItem.tsx';
import { PasteRefused, usePasteGuard } from './paste.tsx';
import { useInViewWhenShown, useRevealWhileTyping } from '../ui/in-view.ts';

type ValueOf<T extends ResponseValue['type']> = Extract<ResponseValue, { type: T }>;

function useValue<T extends ResponseValue['type']>(item: Item, type: T): [ValueOf<T> | undefined, (v: ValueOf<T>) => void] {
  const exam = useExam();
  const value = useAnswers((s) => s.values[item.id]);
  const typed = value?.type === type ? (value as ValueOf<T>) : undefined;
  return [typed, (v) => exam.answers.edit(item.id, v)];
}

function SingleChoice({ item }: { item: Extract<Item, { type: 'single-choice' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'single-choice');
  const name = useId();
  return (
    <fieldset className="options">
      <legend className="sr-only">{t('chooseOne')}</legend>
      {/* Seen here, heard once as the group's name. */}
      <p className="hint" aria-hidden="true">
        {t('chooseOne')}
      </p>
      {item.options.map((o, i) => (
        <label key={o.id} className="choice choice-card">
          <input type="radio" name={name} checked={value?.optionId === o.id} onChange={() => set({ type: 'single-choice', optionId: o.id })} />
          <span className="option-letter" aria-hidden="true">
            {String.fromCharCode(65 + i)}
          </span>
          <span lang="lv">{o.text}</span>
        </label>
      ))}
    </fieldset>
  );
}

function MultipleChoice({ item }: { item: Extract<Item, { type: 'multiple-choice' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'multiple-choice');
  const chosen = value?.optionIds ?? [];
  const max = item.maxSelect;
  const [tooMany, setTooMany] = useState(false);
  const tooManyRef = useInViewWhenShown<HTMLParagraphElement>(tooMany);
  const hint = max !== undefined && max === item.minSelect ? t('chooseN', { n: max }) : t('chooseN', { n: `${item.minSelect}–${max ?? item.options.length}` });
  return (
    <fieldset className="options">
      <legend className="sr-only">{hint}</legend>
      <p className="hint" aria-hidden="true">
        {hint}
      </p>
      {item.options.map((o, i) => {
        const on = chosen.includes(o.id);
        return (
          <label key={o.id} className="choice choice-card">
            <input
              type="checkbox"
              checked={on}
              onChange={() => {
                if (!on && max !== undefined && chosen.length >= max) {
                  setTooMany(true);
                  return;
                }
                setTooMany(false);
                const next = on ? chosen.filter((x) => x !== o.id) : [...chosen, o.id];
                set({ type: 'multiple-choice', optionIds: item.options.map((x) => x.id).filter((x) => next.includes(x)) });
              }}
            />
            <span className="option-letter" aria-hidden="true">
              {String.fromCharCode(65 + i)}
            </span>
            <span lang="lv">{o.text}</span>
          </label>
        );
      })}
      {tooMany && max !== undefined && (
        <p className="warn" role="alert" ref={tooManyRef}>
          ⚠ {t('tooMany', { n: max })}
        </p>
      )}
    </fieldset>
  );
}

function TrueFalse({ item }: { item: Extract<Item, { type: 'true-false-not-given' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'true-false-not-given');
  const name = useId();
  const choices = [
    ['true', t('tfTrue')],
    ['false', t('tfFalse')],
    ['not-given', t('tfNotGiven')],
  ] as const;
  return (
    <fieldset className="options">
      <legend>
        <span className="muted">{t('statement')}: </span>
        <span lang="lv" className="statement">
          {item.statement}
        </span>
      </legend>
      {choices.map(([choice, label]) => (
        <label key={choice} className="choice choice-card">
          <input type="radio" name={name} checked={value?.choice === choice} onChange={() => set({ type: 'true-false-not-given', choice })} />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}

function GapFill({ item }: { item: Extract<Item, { type: 'gap-fill' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'gap-fill');
  const paste = usePasteGuard();
  const gaps = value?.gaps ?? {};
  const parts = item.text.split(/(\{\{[^}]+\}\})/g);
  const update = (gapId: string, text: string) => set({ type: 'gap-fill', gaps: { ...gaps, [gapId]: text } });
  return (
    <div>
      <p className="exam-text gap-text" lang="lv">
        {parts.map((part, i) => {
          const match = /^\{\{([^}]+)\}\}$/.exec(part);
          if (!match) return <span key={i}>{part}</span>;
          const gapId = match[1] as string;
          const gap = item.gaps.find((g) => g.id === gapId);
          const n = item.gaps.findIndex((g) => g.id === gapId) + 1;
          if (!gap) return null;
          return gap.options ? (
            <select key={i} className="input gap" aria-label={t('gap', { n, context: gapContext(item.text, gapId) })} value={gaps[gapId] ?? ''} onChange={(e) => update(gapId, e.target.value)}>
              <option value="">{t('chooseHere')}</option>
              {gap.options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.text}
                </option>
              ))}
            </select>
          ) : (
            <input
              key={i}
              className="input gap"
              aria-label={t('gap', { n, context: gapContext(item.text, gapId) })}
              value={gaps[gapId] ?? ''}
              maxLength={gap.maxLength}
              spellCheck={false}
              autoComplete="off"
              autoCorrect="off"
              autoCapitalize="off"
              size={Math.min(24, Math.max(10, gap.maxLength / 2))}
              onChange={(e) => {
                paste.typed();
                update(gapId, e.target.value);
              }}
              {...paste.fieldProps}
            />
          );
        })}
      </p>
      <PasteRefused guard={paste} />
    </div>
  );
}

/**
 * The sentence a gap stands in, with every gap in it shown as "…": a gap's field is named by what is
 * around it ("2. tukšā vieta: Trešdien Annai …"), not by its number alone. Sentences end at . ! ? or a
 * line break; the sentence's own closing mark is left out.
 */
export function gapContext(text: string, gapId: string): string {
  const at = text.indexOf(`{{${gapId}}}`);
  if (at < 0) return '';
  const before = text.slice(0, at);
  const after = text.slice(at);
  const start = Math.max(...[...before.matchAll(/[.!?]\s|\n/g)].map((m) => m.index + m[0].length), 0);
  const end = /[.!?](\s|$)|\n/.exec(after);
  const sentence = before.slice(start) + after.slice(0, end ? end.index : after.length);
  return sentence.replace(/\{\{[^}]+\}\}/g, '…').replace(/\s+/g, ' ').trim();
}

/** Whether a right-hand element's text already carries its letter ("B", "B. Uzrakstiet labu CV"). */
function lettered(r: { id: string; text: string }): boolean {
  return r.text === r.id || r.text.startsWith(`${r.id}. `) || r.text.startsWith(`${r.id}) `);
}

/** A right-hand element as its drop-down option says it: its letter and its whole text, the letter once. */
function optionText(r: { id: string; text: string }): string {
  return lettered(r) ? r.text : `${r.id} — ${r.text}`;
}

function Matching({ item }: { item: Extract<Item, { type: 'matching' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'matching');
  const pairs = value?.pairs ?? {};
  return (
    <div className="matching">
      {item.right.some((r) => r.text !== r.id) && (
        <ul className="match-right">
          {item.right.map((r) => (
            <li key={r.id} lang="lv">
              {lettered(r) ? (
                r.text
              ) : (
                <>
                  <strong>{r.id}</strong> — {r.text}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {item.left.map((l) => (
        <div key={l.id} className="match-row">
          <label htmlFor={`${item.id}-${l.id}`} lang="lv">
            {l.text}
          </label>
          <select
            id={`${item.id}-${l.id}`}
            className="input"
            aria-label={t('match', { left: l.text })}
            value={pairs[l.id] ?? ''}
            onChange={(e) => set({ type: 'matching', pairs: { ...pairs, [l.id]: e.target.value === '' ? null : e.target.value } })}
          >
            <option value="">{t('chooseHere')}</option>
            {item.right.map((r) => (
              <option key={r.id} value={r.id}>
                {optionText(r)}
              </option>
            ))}
          </select>
        </div>
      ))}
    </div>
  );
}

function Ordering({ item }: { item: Extract<Item, { type: 'ordering' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'ordering');
  const order = value && value.order.length === item.elements.length ? value.order : item.elements.map((e) => e.id);
  const move = (index: number, by: -1 | 1) => {
    const next = [...order];
    const [moved] = next.splice(index, 1);
    if (moved === undefined) return;
    next.splice(index + by, 0, moved);
    set({ type: 'ordering', order: next });
  };
  return (
    <div>
      <p className="hint">{t('orderHelp')}</p>
      <ol className="ordering">
        {order.map((id, i) => {
          const element = item.elements.find((e) => e.id === id);
          if (!element) return null;
          return (
            <li key={id} className="order-row">
              <span className="order-n" aria-hidden="true">
                {i + 1}.
              </span>
              <span lang="lv" className="order-text">
                {element.text}
              </span>
              <button type="button" className="btn btn-small" disabled={i === 0} aria-label={t('moveUp', { x: element.text })} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" className="btn btn-small" disabled={i === order.length - 1} aria-label={t('moveDown', { x: element.text })} onClick={() => move(i, 1)}>
                ↓
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function ShortText({ item }: { item: Extract<Item, { type: 'short-text' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'short-text');
  const paste = usePasteGuard();
  const block = useRevealWhileTyping<HTMLDivElement>();
  const id = useId();
  const text = value?.text ?? '';
  return (
    <div className="stack-sm" ref={block.ref}>
      <label htmlFor={id}>{t('yourAnswer')}</label>
      <input
        id={id}
        className="input input-wide"
        value={text}
        maxLength={item.maxLength}
        spellCheck={false}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        lang="lv"
        onFocus={block.reveal}
        onChange={(e) => {
          paste.typed();
          set({ type: 'short-text', text: e.target.value });
          block.reveal();
        }}
        {...paste.fieldProps}
      />
      <p className="muted small">{t('charsLeft', { n: item.maxLength - text.length })}</p>
      <PasteRefused guard={paste} />
    </div>
  );
}

export function ExtendedWriting({ item }: { item: Extract<Item, { type: 'extended-writing' }> }) {
  const t = useText();
  const [value, set] = useValue(item, 'extended-writing');
  const paste = usePasteGuard();
  // The text area is never taller than the space between the bars leaves for it with the word count
  // and a paste message under it (styles.css), so revealing the block shows all three.
  const block = useRevealWhileTyping<HTMLDivElement>();
  const id = useId();
  const text = value?.text ?? '';
  const words = countWords(text);
  const state = words < item.minWords ? 'few' : words > item.maxWords ? 'many' : 'ok';
  return (
    <div className="stack-sm writing-block" ref={block.ref}>
      <label htmlFor={id}>{t('yourAnswer')}</label>
      <textarea
        id={id}
        className="input writing"
        value={text}
        rows={12}
        spellCheck={false}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        lang="lv"
        aria-describedby={`${id}-count`}
        onFocus={block.reveal}
        onChange={(e) => {
          paste.typed();
          set({ type: 'extended-writing', text: e.target.value });
          block.reveal();
        }}
        {...paste.fieldProps}
      />
      {/* The count is read with the field; what is said while typing is only whether the text now fits. */}
      <p id={`${id}-count`} className={`word-count word-${state}`} data-testid="word-count">
        <strong>{t('words', { n: words })}</strong> ({t('wordsRange', { min: item.minWords, max: item.maxWords })}) —{' '}
        <span>
          {state === 'ok' ? '✓ ' : '⚠ '}
          {t(state === 'few' ? 'wordsTooFew' : state === 'many' ? 'wordsTooMany' : 'wordsOk')}
        </span>
      </p>
      <Announce state={state} text={t(state === 'few' ? 'wordsTooFew' : state === 'many' ? 'wordsTooMany' : 'wordsOk')} />
      <PasteRefused guard={paste} />
    </div>
  );
}

/** The item of one type. */
export type ItemOf<T extends ItemType> = Extract<Item, { type: T }>;

/** One view per item type of the content format: a type without its view here does not compile. */
export type ItemViews = { [T in ItemType]: ComponentType<{ item: ItemOf<T> }> };

export const ITEM_VIEWS = {
  'single-choice': SingleChoice,
  'multiple-choice': MultipleChoice,
  'true-false-not-given': TrueFalse,
  'gap-fill': GapFill,
  matching: Matching,
  ordering: Ordering,
  'short-text': ShortText,
  numeric: NumericItem,
  'extended-writing': ExtendedWriting,
  speaking: SpeakingItem,
} satisfies ItemViews;

/** The view of items of `type` (a mapped type indexed by its own key keeps item and view together). */
function viewOf<T extends ItemType>(type: T): ComponentType<{ item: ItemOf<T> }> {
  const views: ItemViews = ITEM_VIEWS;
  return views[type];
}

export function ItemView({ item }: { item: Item }) {
  const Answer = viewOf(item.type);
  return (
    <div className={`item item-${item.type}`} data-item-id={item.id}>
      {item.prompt && (
        <p className="prompt" lang="lv">
          {item.prompt}
        </p>
      )}
      <Answer item={item} />
    </div>
  );
}
