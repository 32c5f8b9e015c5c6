// MusicBeats page behaviour. Loaded from our own static files: the CSP forbids inline
// scripts. Everything here is progressive: pages work without it.
"use strict";

// When an htmx request fails (server error, or no network), say so instead of
// leaving the page silently unchanged.
function showHtmxError(text) {
  let box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger shadow";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  box.textContent = text;
  clearTimeout(showHtmxError.timer);
  showHtmxError.timer = setTimeout(() => box.remove(), 6000);
}

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  showHtmxError(
    status === 403
      ? "You may not do that."
      : "That did not work (error " + status + "). Nothing was changed; try again.",
  );
});
document.addEventListener("htmx:sendError", () => {
  showHtmxError("No connection to the server. Check the Wi-Fi and try again.");
});
