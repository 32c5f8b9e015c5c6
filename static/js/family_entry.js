// The family desk (/fees/payments/family/<guardian>/). The page works without this file
// (type each child's amount, or a total and Split); this adds: ticking a child's dues
// sets that child's amount (ticking a due ticks the older ones, unticking one unticks
// the newer ones, as on the single desk), the family total follows, and the cursor
// starts on the first field in error or the first child's amount.
"use strict";

(function () {
  const paiseOf = (text) => Math.round(parseFloat(text || "0") * 100) || 0;

  function showTotal() {
    const out = document.querySelector("[data-family-sum]");
    if (!out) return;
    let paise = 0;
    document.querySelectorAll("[data-family-amount] input").forEach((input) => {
      paise += paiseOf(input.value);
    });
    out.textContent = "₹" + (paise / 100).toLocaleString("en-IN", { minimumFractionDigits: 2 });
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("[data-family-due]")) return;
    const row = box.closest("[data-family-child]");
    const boxes = Array.from(row.querySelectorAll("[data-family-due]"));
    const i = boxes.indexOf(box);
    boxes.forEach((other, j) => {
      if (box.checked && j < i) other.checked = true;
      if (!box.checked && j > i) other.checked = false;
    });
    let paise = 0;
    boxes.forEach((b) => {
      if (b.checked) paise += paiseOf(b.dataset.familyDue);
    });
    const input = row.querySelector("[data-family-amount] input");
    if (input) input.value = paise > 0 ? (paise / 100).toFixed(2) : "";
    showTotal();
  });

  document.addEventListener("input", (event) => {
    if (event.target.closest && event.target.closest("[data-family-amount]")) showTotal();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("family-payment-form");
    if (!form) return;
    showTotal();
    const field = form.querySelector(".is-invalid") || form.querySelector("[data-family-amount] input");
    if (field) {
      field.focus();
      if (field.select) field.select();
    }
  });
})();
