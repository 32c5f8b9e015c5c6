// Roll call on a tablet with poor Wi-Fi.
//
// Each tap is an htmx POST that answers with the student's row, saved. A tap that cannot
// reach the server (no network) is kept in localStorage, shown as "waiting to send" on
// its row, and sent again by fetch() when the browser comes back online, every few
// seconds meanwhile, and when a page with this script loads. Per lesson and student
// only the newest tap is kept. Each tap carries its own time and the time it was sent
// (both from the tablet's clock): the server orders taps by them, so a late retry never
// overwrites a newer tap, and sending a tap twice stores one mark (an upsert).
"use strict";

(function () {
  const KEY = "musicbeats.rollcall.pending";
  const RETRY_MS = 4000;
  const LABELS = { present: "Present", absent: "Absent", late: "Late", excused: "Excused" };

  // --- The queue of taps not yet sent --------------------------------------------------

  function load() {
    try {
      const queue = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch {
      return [];
    }
  }

  function store(queue) {
    try {
      localStorage.setItem(KEY, JSON.stringify(queue));
    } catch {
      // Private mode or a full storage: the tap stays pending on this page only.
    }
  }

  function same(a, b) {
    return a.url === b.url && String(a.student) === String(b.student);
  }

  function enqueue(item) {
    const queue = load().filter((queued) => !same(queued, item));
    queue.push(item);
    store(queue);
  }

  function dequeue(item) {
    // Remove this very tap; a newer tap for the same student made meanwhile stays.
    store(load().filter((queued) => !(same(queued, item) && queued.tappedAt === item.tappedAt)));
  }

  function pendingFor(url, student) {
    return load().find((queued) => same(queued, { url, student }));
  }

  // --- The page ----------------------------------------------------------------------

  function roll() {
    return document.getElementById("roll");
  }

  function lessonUrl() {
    const form = roll();
    return form ? form.dataset.lessonUrl : null;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch {
      return "";
    }
  }

  function rowOf(student) {
    return document.getElementById("student-" + student);
  }

  function announce(text) {
    const live = document.getElementById("roll-live");
    if (live) live.textContent = text;
  }

  function setState(row, state, html) {
    row.dataset.state = state;
    const line = row.querySelector(".roster-state");
    if (line) line.innerHTML = html;
  }

  function press(row, status) {
    row.querySelectorAll(".mark-btn").forEach((button) => {
      button.setAttribute("aria-pressed", button.value.endsWith(":" + status) ? "true" : "false");
    });
  }

  function showPending(row, status) {
    press(row, status);
    row.classList.add("is-pending");
    setState(
      row,
      "pending",
      '<span class="state-pending">Waiting to send</span> ' +
        LABELS[status] +
        " · no connection; it is sent by itself when the Wi-Fi is back",
    );
  }

  function showRefused(row, message) {
    row.classList.remove("is-pending");
    press(row, row.dataset.status);
    const text = document.createElement("span");
    text.className = "state-refused";
    text.textContent = "Not saved: " + (message || "the server refused this mark.");
    setState(row, "refused", "");
    row.querySelector(".roster-state").appendChild(text);
    announce(row.dataset.name + ": not saved. " + (message || ""));
  }

  function updateSummary() {
    const marked = document.getElementById("roll-marked");
    if (marked) {
      const rows = document.querySelectorAll(".roster-row");
      let count = 0;
      rows.forEach((row) => {
        if (row.dataset.status || row.dataset.state === "pending") count += 1;
      });
      marked.textContent = String(count);
      document.getElementById("roll-total").textContent = String(rows.length);
    }
    const banner = document.getElementById("rollcall-pending");
    if (banner) {
      const waiting = load().length;
      banner.hidden = waiting === 0;
      banner.textContent =
        waiting === 1
          ? "1 mark is waiting to be sent: it goes as soon as the connection is back."
          : waiting + " marks are waiting to be sent: they go as soon as the connection is back.";
    }
  }

  function replaceRow(student, html) {
    const row = rowOf(student);
    if (!row) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh || fresh.id !== row.id) return;
    row.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function restorePending() {
    const url = lessonUrl();
    if (!url) return;
    load()
      .filter((item) => item.url === url)
      .forEach((item) => {
        const row = rowOf(item.student);
        if (row) showPending(row, item.status);
      });
  }

  // --- Sending the queue ---------------------------------------------------------------

  let flushing = false;

  async function send(item) {
    const body = new URLSearchParams({
      mark: item.student + ":" + item.status,
      tapped_at: String(item.tappedAt),
      sent_at: String(Date.now()),
      reason: item.reason || "",
    });
    return fetch(item.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "x-csrftoken": csrfToken(), "HX-Request": "true" },
    });
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const item = load()[0];
        if (!item) break;
        let response;
        try {
          response = await send(item);
        } catch {
          break; // still offline: try again later
        }
        if (response.redirected || response.status >= 500) {
          break; // logged out, or the server is struggling: keep it, try later
        }
        const text = await response.text();
        dequeue(item);
        if (item.url !== lessonUrl()) continue;
        if (response.ok) {
          const waiting = pendingFor(item.url, item.student);
          if (!waiting) {
            replaceRow(item.student, text);
            announce((rowOf(item.student)?.dataset.name || "") + ": " + LABELS[item.status] + ", saved.");
          }
        } else {
          const row = rowOf(item.student);
          if (row) showRefused(row, text);
        }
      }
    } finally {
      flushing = false;
      updateSummary();
    }
  }

  // --- htmx taps -----------------------------------------------------------------------

  function tapOf(elt, reason) {
    const [student, status] = (elt.value || "").split(":");
    return { url: lessonUrl(), student, status, tappedAt: Date.now(), reason: reason || "" };
  }

  function reasonValue() {
    const input = document.getElementById("correction-reason");
    return input ? input.value : "";
  }

  function isMarkButton(elt) {
    return elt && elt.classList && elt.classList.contains("mark-btn");
  }

  function queueEveryonePresent(reason) {
    // "Everyone present" means everyone without a mark on this tablet: students whose
    // tap is still waiting keep it, so this goes through the queue as one tap each.
    const tappedAt = Date.now();
    document.querySelectorAll(".roster-row").forEach((row) => {
      const student = row.dataset.student;
      if (row.dataset.status || pendingFor(lessonUrl(), student)) return;
      enqueue({ url: lessonUrl(), student, status: "present", tappedAt, reason });
      showPending(row, "present");
    });
  }

  function listen(form) {
    form.addEventListener("htmx:confirm", (event) => {
      // A student with a tap still waiting: the new tap joins the queue behind it, so
      // they reach the server in order (the queue keeps only the newest per student).
      const elt = event.detail.elt;
      if (elt.id === "all-present" && load().some((item) => item.url === lessonUrl())) {
        event.preventDefault();
        queueEveryonePresent(reasonValue());
        updateSummary();
        flush();
        return;
      }
      if (!isMarkButton(elt)) return;
      const tap = tapOf(elt, reasonValue());
      if (pendingFor(tap.url, tap.student)) {
        event.preventDefault();
        enqueue(tap);
        showPending(rowOf(tap.student), tap.status);
        updateSummary();
        flush();
      }
    });

    form.addEventListener("htmx:configRequest", (event) => {
      const now = String(Date.now());
      event.detail.parameters.tapped_at = now;
      event.detail.parameters.sent_at = now;
    });

    form.addEventListener("htmx:beforeRequest", (event) => {
      const elt = event.detail.elt;
      if (!isMarkButton(elt)) return;
      const row = elt.closest(".roster-row");
      const [, status] = elt.value.split(":");
      press(row, status);
      setState(row, "saving", '<span class="state-saving">Saving…</span> ' + LABELS[status]);
    });

    form.addEventListener("htmx:sendError", (event) => {
      // No connection: keep the tap(s) and say so on the row, not in a global alert.
      event.stopPropagation();
      const elt = event.detail.elt;
      const reason = reasonValue();
      if (isMarkButton(elt)) {
        const tap = tapOf(elt, reason);
        enqueue(tap);
        showPending(elt.closest(".roster-row"), tap.status);
      } else if (elt.id === "all-present") {
        queueEveryonePresent(reason);
      }
      announce("No connection: the marks wait on this tablet and are sent by themselves.");
      updateSummary();
    });

    form.addEventListener("htmx:responseError", (event) => {
      event.stopPropagation();
      const elt = event.detail.elt;
      const xhr = event.detail.xhr;
      if (isMarkButton(elt)) {
        if (xhr.status >= 500) {
          const tap = tapOf(elt, reasonValue());
          enqueue(tap);
          showPending(elt.closest(".roster-row"), tap.status);
        } else {
          showRefused(elt.closest(".roster-row"), xhr.responseText);
        }
      } else {
        const box = document.getElementById("roll-error");
        box.textContent = xhr.responseText || "That did not work: nothing was saved.";
        box.hidden = false;
      }
      updateSummary();
    });
  }

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.elt;
    if (!target || !roll()) return;
    restorePending();
    updateSummary();
    const row = target.classList && target.classList.contains("roster-row") ? target : null;
    if (row && row.dataset.status) {
      announce(row.dataset.name + ": " + LABELS[row.dataset.status] + ", saved.");
    } else if (target.id === "roster") {
      announce("Everyone not yet marked is now present.");
    }
  });

  function start() {
    const form = roll();
    if (form) listen(form);
    restorePending();
    updateSummary();
    flush();
    window.addEventListener("online", flush);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") flush();
    });
    setInterval(() => {
      if (load().length) flush();
    }, RETRY_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
