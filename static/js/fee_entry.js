// The fee desk (/fees/payments/new/), keyboard first. The page works without this file
// (plain GET search, links, plain POST); this adds: arrow keys through the students
// found, Enter to open one, the amount following the ticked months, focus on the amount
// when a student opens and back on the search when a payment is saved.
"use strict";

(function () {
  const search = () => document.getElementById("fee-search");
  const results = () => Array.from(document.querySelectorAll("[data-fee-result]"));

  function focusResult(index) {
    const links = results();
    if (!links.length) return;
    const i = Math.max(0, Math.min(index, links.length - 1));
    links[i].focus();
  }

  document.addEventListener("keydown", (event) => {
    const input = search();
    if (!input) return;
    const target = event.target;
    if (target === input) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        focusResult(0);
      } else if (event.key === "Enter" && results().length === 1) {
        // One match: Enter opens it straight away.
        event.preventDefault();
        results()[0].click();
      }
      return;
    }
    if (target.matches && target.matches("[data-fee-result]")) {
      const links = results();
      const i = links.indexOf(target);
      if (event.key === "ArrowDown") {
        event.preventDefault();
        focusResult(i + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (i === 0) input.focus();
        else focusResult(i - 1);
      } else if (event.key === "Escape") {
        input.focus();
      }
      return;
    }
    if (event.key === "Escape" && target.closest && target.closest("#desk")) {
      input.focus();
      input.select();
    }
  });

  // Ticking a month ticks the older ones (payments pay the oldest first); unticking one
  // unticks the newer ones. The amount is the sum of the ticked months.
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("[data-due-amount]")) return;
    const boxes = Array.from(document.querySelectorAll("[data-due-amount]"));
    const i = boxes.indexOf(box);
    boxes.forEach((other, j) => {
      if (box.checked && j < i) other.checked = true;
      if (!box.checked && j > i) other.checked = false;
    });
    let paise = 0;
    boxes.forEach((b) => {
      if (b.checked) paise += Math.round(parseFloat(b.dataset.dueAmount) * 100);
    });
    const amount = document.getElementById("id_amount");
    if (amount && paise > 0) amount.value = (paise / 100).toFixed(2);
  });

  function afterDeskSwap() {
    const input = search();
    if (document.querySelector("#desk [data-saved]")) {
      // Saved: the receipt shows, and the desk is ready for the next family.
      if (input) {
        input.value = "";
        input.focus();
      }
      const list = document.getElementById("results");
      if (list) list.innerHTML = "";
      return;
    }
    const error = document.querySelector("#desk .is-invalid");
    const field = error || document.getElementById("id_amount");
    if (field) {
      field.focus();
      if (field.select) field.select();
    }
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "desk") afterDeskSwap();
  });

  document.addEventListener("DOMContentLoaded", () => {
    // A page opened on a student (no JS search, or a reload) starts on the amount.
    if (document.querySelector("#desk [data-desk-student]")) afterDeskSwap();
  });
})();

// The receipt's Print button (the browser's own print: A4 or the 80 mm roll by the page).
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
