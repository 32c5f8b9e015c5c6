// A family's Share button on a receipt (fees/payment_detail.html): the phone's own share
// sheet (Web Share API) where there is one, else the receipt's link copied to the
// clipboard, else the link shown selected to copy by hand. The button stays hidden
// without JavaScript: the link box below it still carries the address.
"use strict";

(function () {
  function say(button, text) {
    const status = document.getElementById(button.dataset.shareStatus);
    if (status) status.textContent = text;
  }

  function showLink(button) {
    const box = document.getElementById(button.dataset.shareLink);
    if (!box) return;
    box.hidden = false;
    const input = box.querySelector("input");
    if (input) { input.focus(); input.select(); }
  }

  async function share(button) {
    const url = new URL(button.dataset.shareUrl, window.location.href).href;
    const title = button.dataset.shareTitle || document.title;
    if (navigator.share) {
      try {
        await navigator.share({ title: title, url: url });
        return;
      } catch (error) {
        if (error && error.name === "AbortError") return;  // closed the share sheet
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(url);
        say(button, "Link copied: paste it into a message.");
        return;
      } catch (error) { /* fall through to the link box */ }
    }
    showLink(button);
    say(button, "Copy the link below.");
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-share-url]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => share(button));
    });
  });
})();
