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
