// Lesson notes on the roll call, through a Wi-Fi drop (like rollcall.js for marks).
//
// Each note form saves with an htmx POST that answers with the form, saved. A save that
// cannot reach the server is kept in localStorage (per lesson and student or batch, only
// the newest text), shown as "Waiting to send" on its form, and sent again by fetch()
// when the browser comes back online, every few seconds meanwhile, and when a page with
// this script loads. Each save carries when its text was written and when it was sent
// (the tablet's clock): the server keeps the newest text, so a late resend never
// overwrites a newer save, and sending a save twice stores one note (an upsert).
"use strict";

(function () {
  const KEY = "musicbeats.notes.pending";
  const RETRY_MS = 4000;

  // --- The queue of saves not yet sent -------------------------------------------------

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
      // Private mode or a full storage: the save stays pending on this page only.
    }
  }

  function same(a, b) {
    return a.url === b.url && String(a.key) === String(b.key);
  }

  function enqueue(item) {
    const queue = load().filter((queued) => !same(queued, item));
    queue.push(item);
    store(queue);
  }

  function dequeue(item) {
    // Remove this very save; a newer save of the same note made meanwhile stays.
    store(load().filter((queued) => !(same(queued, item) && queued.writtenAt === item.writtenAt)));
  }

  function pendingFor(url, key) {
    return load().find((queued) => same(queued, { url, key }));
  }

  // --- The page ------------------------------------------------------------------------

  function section() {
    return document.getElementById("lesson-notes");
  }

  function notesUrl() {
    const box = section();
    return box ? box.dataset.notesUrl : null;
  }

  function formOf(key) {
    return document.getElementById("note-form-" + key);
  }

  function isNoteForm(elt) {
    return elt && elt.classList && elt.classList.contains("note-form");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch {
      return "";
    }
  }

  function field(form, name) {
    return form.querySelector('[name="' + name + '"]');
  }

  function saveOf(form) {
    return {
      url: notesUrl(),
      key: form.dataset.key,
      student: field(form, "student").value,
      covered: field(form, "covered").value,
      practice: field(form, "practice").value,
      writtenAt: Date.now(),
    };
  }

  function setState(form, state, text, className) {
    form.dataset.state = state;
    const line = form.querySelector(".note-state");
    if (!line) return;
    line.textContent = "";
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    line.appendChild(span);
  }

  function showPending(form) {
    const details = form.closest("details");
    if (details) details.open = true;
    setState(
      form,
      "pending",
      "Waiting to send: no connection; it is sent by itself when the Wi-Fi is back",
      "state-pending",
    );
  }

  function showRefused(form, message) {
    setState(form, "refused", "Not saved: " + (message || "the server refused this note."), "state-refused");
  }

  function replaceForm(key, html) {
    const form = formOf(key);
    if (!form) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh || fresh.id !== form.id) return;
    form.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function restorePending() {
    // The page came from the server with the older text: show the waiting text instead.
    const url = notesUrl();
    if (!url) return;
    load()
      .filter((item) => item.url === url)
      .forEach((item) => {
        const form = formOf(item.key);
        if (!form) return;
        field(form, "covered").value = item.covered;
        field(form, "practice").value = item.practice;
        showPending(form);
      });
  }

  // --- Sending the queue ---------------------------------------------------------------

  let flushing = false;

  function send(item) {
    const body = new URLSearchParams({
      student: item.student,
      covered: item.covered,
      practice: item.practice,
      written_at: String(item.writtenAt),
      sent_at: String(Date.now()),
    });
    return fetch(item.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "x-csrftoken": csrfToken(), "HX-Request": "true" },
    });
  }

  function unchangedSince(form, item) {
    return field(form, "covered").value === item.covered && field(form, "practice").value === item.practice;
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
        const form = item.url === notesUrl() ? formOf(item.key) : null;
        if (!form || pendingFor(item.url, item.key)) continue;
        if (!response.ok) {
          showRefused(form, text);
        } else if (unchangedSince(form, item)) {
          replaceForm(item.key, text);
        } else {
          // Typed on since: keep the typing, say the earlier text is stored.
          setState(form, "saved", "✓ Saved the earlier text; save again to keep the changes", "state-saved");
        }
      }
    } finally {
      flushing = false;
    }
  }

  // --- htmx saves ----------------------------------------------------------------------

  function listen() {
    document.addEventListener("htmx:confirm", (event) => {
      // A note with a save still waiting: the new one joins the queue behind it (the
      // queue keeps only the newest per note), so they reach the server in order.
      const form = event.detail.elt;
      if (!isNoteForm(form) || !pendingFor(notesUrl(), form.dataset.key)) return;
      event.preventDefault();
      enqueue(saveOf(form));
      showPending(form);
      flush();
    });

    document.addEventListener("htmx:configRequest", (event) => {
      if (!isNoteForm(event.detail.elt)) return;
      const now = String(Date.now());
      event.detail.parameters.written_at = now;
      event.detail.parameters.sent_at = now;
    });

    document.addEventListener("htmx:beforeRequest", (event) => {
      const form = event.detail.elt;
      if (isNoteForm(form)) setState(form, "saving", "Saving…", "state-saving");
    });

    document.addEventListener(
      "htmx:sendError",
      (event) => {
        const form = event.detail.elt;
        if (!isNoteForm(form)) return;
        // No connection: keep the save and say so on the form, not in a global alert.
        event.stopImmediatePropagation();
        enqueue(saveOf(form));
        showPending(form);
      },
      true,
    );

    document.addEventListener(
      "htmx:responseError",
      (event) => {
        const form = event.detail.elt;
        if (!isNoteForm(form)) return;
        event.stopImmediatePropagation();
        const xhr = event.detail.xhr;
        if (xhr.status >= 500) {
          enqueue(saveOf(form));
          showPending(form);
        } else {
          showRefused(form, xhr.responseText);
        }
      },
      true,
    );

    document.addEventListener("click", (event) => {
      // "Note" on a roster row: open that student's line and put the cursor in it.
      const link = event.target.closest && event.target.closest(".roster-note-link");
      if (!link) return;
      const details = document.getElementById(link.getAttribute("href").slice(1));
      if (!details) return;
      event.preventDefault();
      details.open = true;
      details.scrollIntoView({ block: "center" });
      const input = details.querySelector("input:not([type=hidden]):not([disabled])");
      if (input) input.focus();
    });
  }

  function start() {
    if (section()) listen();
    restorePending();
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
