// jsdom has the <dialog> element but not showModal(), close() or the cancel that Escape sends; the
// screens' modals use all three. This gives jsdom that much of the platform, and no more: the focus
// trap and the inert page behind a modal are Chromium's, checked in the e2e (candidate.e2e.ts).
// Loaded for every test file (vitest setupFiles); in the Node environment there is no dialog to patch.

// One list per page, whichever copy of this module a test file imports.
const modals: HTMLDialogElement[] = ((globalThis as { examStationModals?: HTMLDialogElement[] }).examStationModals ??= []);

/** Whether the dialog is open as a modal (opened with showModal and not closed since). */
export function isModal(dialog: Element): boolean {
  return modals.includes(dialog as HTMLDialogElement);
}

if (typeof HTMLDialogElement !== 'undefined' && typeof HTMLDialogElement.prototype.showModal !== 'function') {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    if (this.open) throw new DOMException('The dialog is already open.', 'InvalidStateError');
    if (!this.isConnected) throw new DOMException('The dialog is not in a document.', 'InvalidStateError');
    this.setAttribute('open', '');
    modals.push(this);
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    const at = modals.indexOf(this);
    if (at >= 0) modals.splice(at, 1);
    if (!this.open) return;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
  // Escape asks the topmost modal to cancel; it closes unless the cancel is refused.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    const top = modals.filter((d) => d.isConnected).pop();
    if (top && top.dispatchEvent(new Event('cancel', { cancelable: true }))) top.close();
  });
}
