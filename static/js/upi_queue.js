// The reported UPI queue (fees/upi/queue.html): after a row is confirmed or rejected
// (htmx swaps the row), the focus moves to the next waiting Confirm button, so the office
// confirms report after report with Enter alone.
document.body.addEventListener("htmx:afterSwap", () => {
  const next = document.querySelector("[data-upi-confirm]");
  if (next) {
    next.focus();
  }
});
