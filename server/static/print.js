// aftersales: the Print button of a printable page (without JavaScript the page says to
// use the browser's own print command instead).
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  var hint = document.getElementById("print-hint");
  if (!button) { return; }
  button.hidden = false;
  if (hint) { hint.hidden = true; }
  button.addEventListener("click", function () { window.print(); });
})();
