// Classes pages (batches, enrolment, catalogue). Progressive: every form works without it.
"use strict";

// After htmx swaps in a result (an enrolment made or refused), move the keyboard focus
// to its message so that the person hears it and can carry on from there.
// (An outerHTML swap replaces the target, so look in the whole page; the attribute goes
// once used so that later swaps elsewhere do not pull the focus back.)
document.addEventListener("htmx:afterSettle", () => {
  const message = document.querySelector("[data-focus-after-swap]");
  if (!message) return;
  message.removeAttribute("data-focus-after-swap");
  message.focus();
});

// A private lesson is a batch of one: choosing it sets the capacity to 1.
document.addEventListener("change", (event) => {
  const kind = event.target;
  if (kind.name !== "kind" || kind.tagName !== "SELECT") return;
  const capacity = kind.form && kind.form.elements.namedItem("capacity");
  if (capacity && kind.value === "private") capacity.value = "1";
});
