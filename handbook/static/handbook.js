/* The site's own behaviour (handbook/sphinxext/lean.py bundles it before the
   themes' scripts): focus that returns where it came from, and the colour
   mode as one toggle button. */
(() => {
  "use strict";

  /* Focus back on the button that opened a dialog (the navigation, the
     page's contents, the search) when it closes, by Escape or otherwise.
     The book theme blurs these buttons when they are clicked, so the
     browser would put focus on <body> instead. */
  const OPENERS = ".primary-toggle, .secondary-toggle, .search-button__button";
  let opener = null;
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(OPENERS);
    if (!button) return;
    opener = button;
    // A button that opens no dialog (the sidebar's on a desktop) keeps the
    // focus that the book theme's blur would drop.
    setTimeout(() => {
      if (document.activeElement === document.body && !document.querySelector("dialog[open]")) button.focus();
    });
  }, true);
  document.addEventListener("keydown", (event) => {
    // Ctrl+K (Cmd+K) opens the search from wherever the focus is.
    if ((event.ctrlKey || event.metaKey) && /^k$/i.test(event.key)) opener = document.activeElement;
  }, true);
  const returnFocus = () => {
    const target = opener;
    opener = null;
    // After the themes' own "close" handlers, which move the dialog's content back.
    setTimeout(() => {
      if (target && target.isConnected && target.checkVisibility()) target.focus();
    });
  };
  /* A link in the navigation drawer (a phone's) to a place on this page, such
     as the page's own entry or, in a long book, the start page's "All
     chapters: the contents", closes the drawer: the theme closes it only by
     Escape or outside it, so the reader would see nothing change. The focus
     goes where the link leads. */
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("dialog[open] a[href]");
    if (!link || link.origin + link.pathname !== location.origin + location.pathname) return;
    const dialog = link.closest("dialog");
    const target = link.hash && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (target) opener = null;
    setTimeout(() => {  // after the browser has followed the link
      dialog.close();
      if (!target) return;
      setTimeout(() => {  // after the themes' handlers put the focus back on the button
        if (!target.matches("a[href], button, input, [tabindex]")) target.setAttribute("tabindex", "-1");
        target.focus();
      });
    });
  });

  const watch = () => {
    for (const id of ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal", "pst-search-dialog"]) {
      const dialog = document.getElementById(id);
      if (dialog) dialog.addEventListener("close", returnFocus);
    }
  };

  /* The colour mode: "Dark mode", pressed or not. The theme keeps the mode
     in localStorage ("mode", "theme") and on <html data-mode data-theme>;
     the page's first inline script reads them before the page is drawn. */
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const shown = () => document.documentElement.dataset.theme === "dark";
  const setMode = (mode) => {
    const theme = mode === "auto" ? (dark.matches ? "dark" : "light") : mode;
    document.documentElement.dataset.mode = mode;
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("mode", mode);
    localStorage.setItem("theme", theme);
  };
  const showState = () => {
    for (const button of document.querySelectorAll(".handbook-mode-toggle")) {
      button.setAttribute("aria-pressed", String(shown()));
    }
  };
  const modeToggle = () => {
    for (const button of document.querySelectorAll(".handbook-mode-toggle")) {
      button.addEventListener("click", () => {
        setMode(shown() ? "light" : "dark");
        showState();
      });
    }
    dark.addEventListener("change", () => {
      if (document.documentElement.dataset.mode === "auto") setMode("auto");
      showState();
    });
    showState();
  };

  const start = () => { watch(); modeToggle(); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
