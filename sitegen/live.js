// Live reload and the error overlay of `sitegen serve`; added to pages only as they are served,
// never written into the build. Polls the build id next to this file and reloads the page when
// it changes; shows a failed build's problems as text (textContent, never HTML) until a good
// build clears them. A file of its own, not inline, so a page's CSP of script-src 'self' allows it.
(() => {
  "use strict";
  const POLL_MS = 500;
  const RETRY_MAX_MS = 5000; // the server is stopped or restarting: back off
  const script = document.currentScript;
  const build = script.dataset.build;
  const statusUrl = new URL("status", script.src).href;
  let delay = POLL_MS;
  let shown = "";

  function overlay() {
    let box = document.getElementById("sitegen-error-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;"
        + "overflow:auto;padding:1em 1.25em;background:#2b0b0b;color:#fff;"
        + "border-top:4px solid #e5484d;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(box);
    }
    return box;
  }

  function show(problems, summary) {
    const key = problems.join("\n");
    if (key === shown) return; // unchanged: a hidden overlay stays hidden
    shown = key;
    if (!problems.length) {
      document.getElementById("sitegen-error-overlay")?.remove();
      return;
    }
    const box = overlay();
    const heading = document.createElement("strong");
    heading.textContent = "sitegen: the last change did not build; this is the last good site";
    const text = document.createElement("pre");
    text.style.cssText = "white-space:pre-wrap;margin:.5em 0;font:inherit";
    text.textContent = key + "\n" + summary;
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.addEventListener("click", () => box.remove());
    box.replaceChildren(heading, text, hide);
  }

  function poll() {
    fetch(statusUrl, {cache: "no-store"})
      .then((response) => response.json())
      .then((status) => {
        if (status.build !== build) {
          location.reload();
          return;
        }
        show(status.problems, status.summary);
        delay = POLL_MS;
        setTimeout(poll, delay);
      }, () => {
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
