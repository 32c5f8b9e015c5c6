// People forms: the guardian and student pickers. Without this file the pickers still
// work (the Find button sends the form back with the results); with it:
// - Enter in a picker's search box searches instead of sending the whole form;
// - a ticked search result moves to the picked list, so the next search keeps it.
"use strict";

document.addEventListener("keydown", (event) => {
  const box = event.target.closest && event.target.closest("[data-picker-search]");
  if (box && event.key === "Enter") {
    event.preventDefault();
    box.dispatchEvent(new Event("search", { bubbles: true }));
  }
});

document.addEventListener("change", (event) => {
  const tick = event.target;
  if (tick.type !== "checkbox" || !tick.checked) return;
  const results = tick.closest("[data-picker-results]");
  if (!results) return;
  const picker = results.closest("[data-picker]");
  const picked = picker && picker.querySelector("[data-picker-picked]");
  const row = tick.closest("li");
  if (!picked || !row) return;
  const empty = picked.querySelector("[data-picker-empty]");
  if (empty) empty.remove();
  picked.appendChild(row);
  tick.focus();
});

// Lists: the live search leaves empty filters out of the address it asks for (and
// keeps in the browser's history), so /people/students/?q=nair stays readable.
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.closest("[data-clean-query]")) return;
  const data = event.detail.formData;
  for (const key of Array.from(new Set(data.keys()))) {
    if (data.getAll(key).every((value) => value === "")) data.delete(key);
  }
});
