// Fee reports (statement, summary, cash close): the Print button. It stays hidden
// without JavaScript; the browser's own Print prints the same page with the print CSS.
"use strict";

document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
