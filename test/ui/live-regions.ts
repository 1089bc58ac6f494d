// What a screen reader would be told by the page's live regions: every change of a region's text to
// something new (a region that appears with text counts too), watched with a MutationObserver.

const LIVE = '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]';

export function listen(): { said: string[]; stop: () => void } {
  const said: string[] = [];
  const last = new Map<Element, string>();
  for (const region of document.querySelectorAll(LIVE)) last.set(region, region.textContent ?? '');
  const observer = new MutationObserver(() => {
    for (const region of document.querySelectorAll(LIVE)) {
      const text = region.textContent ?? '';
      if (last.get(region) !== text && text.trim() !== '') said.push(text);
      last.set(region, text);
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  return { said, stop: () => observer.disconnect() };
}
