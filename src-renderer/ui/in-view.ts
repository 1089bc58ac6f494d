// Nothing the candidate works with may hide under the sticky top bar or the part's bottom bar
// (WCAG 2.4.11), at any text size. The bars publish their real heights as CSS variables
// (--topbar-h, --footer-h) which the page's scroll-padding and the writing area's height follow;
// focus that lands under a bar anyway (a focus() from code scrolls without the padding) is brought
// out; and a text answer keeps its field with what is said under it (word count, characters left, a
// refused paste) in view while it is typed in, as a message that appears under an answer is.
import { useCallback, useEffect, useRef, type RefObject } from 'react';

/**
 * A ref for a bar: keeps `--name` on the document at the bar's rendered height while the bar is
 * mounted (it changes with the text size, the language and wrapping), and takes it away with it.
 */
export function useBarHeight(name: '--topbar-h' | '--footer-h'): (bar: HTMLElement | null) => (() => void) | undefined {
  return useCallback(
    (bar: HTMLElement | null) => {
      if (!bar || typeof ResizeObserver === 'undefined') return undefined;
      const root = document.documentElement;
      const observer = new ResizeObserver(() => root.style.setProperty(name, `${bar.getBoundingClientRect().height}px`));
      observer.observe(bar);
      return () => {
        observer.disconnect();
        root.style.removeProperty(name);
      };
    },
    [name],
  );
}

/** The sticky bars and the layers above the page (dialogs, the settings), where focus is always in view. */
const ON_TOP = '.topbar, .part-footer, .dialog-backdrop, dialog, [role="dialog"], [role="alertdialog"]';

/**
 * Scrolls a control focused under the top bar or the bottom bar into the space between them. Tab is
 * served by scroll-padding already; this catches focus moved by code (headings, dialogs closing).
 */
export function useFocusKeptInView(): void {
  useEffect(() => {
    const onFocus = (event: FocusEvent) => {
      const target = event.target;
      if (!(target instanceof HTMLElement) || target.closest(ON_TOP)) return;
      const box = target.getBoundingClientRect();
      const top = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
      const bottom = document.querySelector('.part-footer')?.getBoundingClientRect().top ?? window.innerHeight;
      if (box.top < top || box.bottom > bottom) target.scrollIntoView({ block: 'nearest' });
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);
}

/** A ref for a message that may appear under a bar: it is scrolled into view whenever `shown` turns on. */
export function useInViewWhenShown<T extends HTMLElement>(shown: boolean): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [shown]);
  return ref;
}

/**
 * For the block around a text field: `reveal` (on focus and on every edit) scrolls the whole block,
 * field and the lines under it, into view when part of it is under a bar; a no-op when all is seen.
 */
export function useRevealWhileTyping<T extends HTMLElement>(): { ref: RefObject<T | null>; reveal: () => void } {
  const ref = useRef<T>(null);
  const reveal = useCallback(() => ref.current?.scrollIntoView?.({ block: 'nearest' }), []);
  return { ref, reveal };
}
