// Keeps parts of a page current without a reload: every element with a data-live="name"
// attribute is replaced, every few seconds, by the element of the same name in a fresh copy of
// the page. The page's forms and everything else stay as the person left them. Nothing is
// fetched while the tab is hidden; a failed fetch is tried again at the next tick. Once every
// part says nothing more will change (data-live-done), it stops.
"use strict";
(function () {
  const INTERVAL_MS = 3000;

  function liveParts(root) {
    const parts = new Map();
    root.querySelectorAll("[data-live]").forEach((element) => {
      parts.set(element.dataset.live, element);
    });
    return parts;
  }

  async function refresh() {
    if (document.hidden) {
      return;
    }
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "live.js" },
    });
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const freshParts = liveParts(fresh);
    liveParts(document).forEach((element, name) => {
      const replacement = freshParts.get(name);
      if (replacement && replacement.innerHTML !== element.innerHTML) {
        element.replaceWith(document.importNode(replacement, true));
      }
    });
  }

  function settled() {
    return !document.querySelector("[data-live]:not([data-live-done])");
  }

  function start() {
    if (settled()) {
      return;
    }
    const timer = window.setInterval(() => {
      refresh()
        .then(() => {
          if (settled()) {
            window.clearInterval(timer);
          }
        })
        .catch(() => undefined);
    }, INTERVAL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
