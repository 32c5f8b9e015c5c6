// The fee desk (/fees/payments/new/), keyboard first. The page works without this file
// (plain GET search, links, plain POST); this adds: arrow keys through the students
// found, Enter to open one, the amount and the ticked months following each other, focus
// on the amount when a student opens (on the field in error, or the desk's question, after
// a refused or questioned save) and back on the search when a payment is saved.
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

  // Ticks and amount agree both ways. Ticking a month ticks the older ones (payments pay
  // the oldest first) and unticking one unticks the newer ones; the amount is the sum of
  // the ticked months (none ticked: no amount). Typing an amount ticks the months it
  // covers, oldest first; a month it pays only in part is shown as partial.
  const dueBoxes = () => Array.from(document.querySelectorAll("#desk [data-due-amount]"));
  const duePaise = (box) => Math.round(parseFloat(box.dataset.dueAmount) * 100);
  const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });

  function showPartial(box, paise) {
    const badge = box.closest("tr") && box.closest("tr").querySelector("[data-due-partial]");
    box.indeterminate = paise > 0;
    if (!badge) return;
    badge.hidden = !(paise > 0);
    badge.textContent = paise > 0 ? "partial: " + rupees.format(paise / 100) : "";
  }

  function amountPaise(text) {
    const value = (text || "").trim();
    if (!/^\d+(\.\d{0,2})?$|^\.\d{1,2}$/.test(value)) return null;
    return Math.round(parseFloat(value) * 100);
  }

  function ticksFromAmount() {
    const amount = document.getElementById("id_amount");
    if (!amount) return;
    let left = amountPaise(amount.value);
    if (left === null) return; // not a plain amount: the server says what is wrong
    dueBoxes().forEach((box) => {
      const due = duePaise(box);
      box.checked = left > 0;
      showPartial(box, left > 0 && left < due ? left : 0);
      left = Math.max(0, left - due);
    });
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("[data-due-amount]")) return;
    const boxes = dueBoxes();
    const i = boxes.indexOf(box);
    boxes.forEach((other, j) => {
      if (box.checked && j < i) other.checked = true;
      if (!box.checked && j > i) other.checked = false;
      showPartial(other, 0);
    });
    let paise = 0;
    boxes.forEach((b) => {
      if (b.checked) paise += duePaise(b);
    });
    const amount = document.getElementById("id_amount");
    if (amount) amount.value = paise > 0 ? (paise / 100).toFixed(2) : "";
  });

  document.addEventListener("input", (event) => {
    if (event.target && event.target.id === "id_amount") ticksFromAmount();
  });

  document.addEventListener("click", (event) => {
    // "No, change the amount or date": back to the amount, selected.
    if (!event.target.closest || !event.target.closest("[data-confirm-fix]")) return;
    const amount = document.getElementById("id_amount");
    if (!amount) return;
    event.preventDefault();
    amount.focus();
    amount.select();
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
    ticksFromAmount();
    // Asking first: the question takes the focus (read out; Enter does not confirm it).
    // Else the first field in error (the server marks it autofocus), else the amount.
    const field =
      document.querySelector("#desk [data-desk-confirm]") ||
      document.querySelector("#desk [autofocus]") ||
      document.querySelector("#desk .is-invalid") ||
      document.getElementById("id_amount");
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
