// The 大字 (large text) preference of the citizen chat. Loaded in <head> without defer so the
// class is on <html> before the first paint: a page that jumps from small to large text on
// every load is exactly what makes older readers lose their place.
(() => {
  const KEY = 'chat.largeText';
  const root = document.documentElement;

  function stored() {
    try {
      return localStorage.getItem(KEY) === 'on';
    } catch {
      return false; // storage blocked (private mode, strict settings): default size, still toggleable
    }
  }

  function remember(on) {
    try {
      localStorage.setItem(KEY, on ? 'on' : 'off');
    } catch {
      // Not stored: the toggle still works for this visit, which is all we can do.
    }
  }

  root.classList.toggle('large', stored());

  document.addEventListener('DOMContentLoaded', () => {
    const button = document.getElementById('large');
    if (!button) return;
    const show = () => button.setAttribute('aria-pressed', String(root.classList.contains('large')));
    show();
    button.addEventListener('click', () => {
      remember(root.classList.toggle('large'));
      show();
    });
  });
})();
