import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { setAccessToken } from '../lib/api-client';

// jsdom has <dialog> but not showModal(). This stand-in models the part tests rely on: a modal dialog
// is open and everything outside it leaves the accessibility tree (the browser makes it inert).
function hideAllOutside(dialog: Element): Element[] {
  const hidden: Element[] = [];
  for (let node = dialog; node.parentElement; node = node.parentElement) {
    for (const sibling of node.parentElement.children) {
      if (sibling !== node && !sibling.hasAttribute('aria-hidden')) {
        sibling.setAttribute('aria-hidden', 'true');
        hidden.push(sibling);
      }
    }
  }
  return hidden;
}

if (typeof HTMLDialogElement.prototype.showModal !== 'function') {
  const hiddenBy = new WeakMap<HTMLDialogElement, Element[]>();
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
    hiddenBy.set(this, hideAllOutside(this));
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.open = false;
    for (const element of hiddenBy.get(this) ?? []) element.removeAttribute('aria-hidden');
    hiddenBy.delete(this);
  };
}

// Route chunks are compiled on first import; under a parallel run that can take more than a second.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  setAccessToken(null);
  sessionStorage.clear();
  localStorage.clear();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});
