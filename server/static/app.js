// aftersales: small progressive enhancements on top of htmx; every page works without this.

// An htmx request that fails (403, 404, 413, a lost session, a network error) would
// otherwise do nothing visible: show the server's own message in the message area.
(function () {
  "use strict";

  function show(text) {
    var area = document.getElementById("flashes");
    if (!area) { return; }
    var message = document.createElement("p");
    message.className = "flash flash-error";
    message.setAttribute("role", "alert");
    message.textContent = text;
    area.replaceChildren(message);
    area.scrollIntoView({ block: "nearest" });
  }

  function serverMessage(xhr) {
    try {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var text = page.querySelector("main .card p");
      if (text && text.textContent.trim()) { return text.textContent.trim(); }
    } catch (ignored) { /* fall through to the status line */ }
    return "The server answered " + xhr.status + " " + xhr.statusText + ".";
  }

  document.addEventListener("htmx:responseError", function (event) {
    show(serverMessage(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Check the connection and try again; nothing was saved.");
  });
})();

// A table wider than the screen scrolls inside its .table-wrap: make such a wrapper
// focusable, so keyboard users can scroll it with the arrow keys (WCAG 2.1.1).
(function () {
  "use strict";

  function markScrollable(root) {
    var wraps = (root || document).querySelectorAll(".table-wrap");
    Array.prototype.forEach.call(wraps, function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { markScrollable(document); });
  window.addEventListener("resize", function () { markScrollable(document); });
  document.addEventListener("htmx:afterSettle", function () { markScrollable(document); });
})();

// After htmx swaps in a form that came back with errors, move the focus to its first
// invalid field: a screen reader then reads that field's label and, through
// aria-describedby, its error, and a keyboard user can correct it straight away.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    if (!config || String(config.verb).toLowerCase() !== "post") { return; }
    var region = event.target;
    if (!region || !region.querySelector) { return; }
    var invalid = region.querySelector("[aria-invalid='true']");
    if (invalid && typeof invalid.focus === "function") { invalid.focus(); }
  });
})();
