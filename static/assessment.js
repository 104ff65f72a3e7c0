// Năng Lực: a test on a phone. Each answer is saved as it is given; when the network drops, answers wait in this
// phone's storage and are sent again as soon as it is back, so a dropped connection loses nothing. Without
// JavaScript the same form still works: every answer is sent with "Nộp bài".
(function () {
  "use strict";
  var form = document.getElementById("attempt");
  if (!form || form.querySelector("fieldset[disabled]")) { return; }
  var id = form.getAttribute("data-attempt");
  var key = "nl-attempt-" + id;
  var status = document.getElementById("save-status");
  var sending = false;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function pending() {
    try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function keep(p) {
    try { localStorage.setItem(key, JSON.stringify(p)); } catch (e) { /* storage full or private mode */ }
  }
  function say(text) { if (status) { status.textContent = text; } }

  function answerOf(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    var inputs = fieldset.querySelectorAll("input");
    if (kind === "short") { return inputs[0].value.trim() || null; }
    if (kind === "multiple") {
      var chosen = [];
      inputs.forEach(function (i) { if (i.checked) { chosen.push(parseInt(i.value, 10)); } });
      return chosen.length ? chosen : null;
    }
    var picked = null;
    inputs.forEach(function (i) { if (i.checked) { picked = i.value; } });
    if (picked === null) { return null; }
    if (kind === "true_false") { return picked === "true"; }
    return parseInt(picked, 10);
  }

  function flush() {
    var p = pending();
    var indexes = Object.keys(p);
    if (!indexes.length || sending) { return Promise.resolve(!indexes.length); }
    sending = true;
    say(form.getAttribute("data-pending"));
    var index = indexes[0];
    return fetch("/attempts/" + id + "/answers/" + index, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ answer: p[index] })
    }).then(function (response) {
      sending = false;
      if (response.ok) {
        var now = pending();
        if (JSON.stringify(now[index]) === JSON.stringify(p[index])) { delete now[index]; keep(now); }
        if (Object.keys(pending()).length) { return flush(); }
        say(form.getAttribute("data-saved"));
        return true;
      }
      if (response.status === 409) {  // time is up or already handed in: the server's copy is what counts
        localStorage.removeItem(key);
        say(form.getAttribute("data-time-up"));
        window.location.reload();
        return false;
      }
      say(form.getAttribute("data-offline"));
      return false;
    }).catch(function () {
      sending = false;
      say(form.getAttribute("data-offline"));
      return false;
    });
  }

  function remember(fieldset) {
    var p = pending();
    p[fieldset.getAttribute("data-index")] = answerOf(fieldset);
    keep(p);
    flush();
  }

  // Answers given while offline before a reload are put back into the form, then sent.
  var saved = pending();
  Object.keys(saved).forEach(function (index) {
    var fieldset = form.querySelector('fieldset[data-index="' + index + '"]');
    if (!fieldset) { return; }
    var value = saved[index];
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio") { input.checked = String(value) === input.value; }
      else if (input.type === "checkbox") { input.checked = Array.isArray(value) && value.indexOf(parseInt(input.value, 10)) >= 0; }
      else { input.value = value === null ? "" : value; }
    });
  });
  flush();

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) { remember(fieldset); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text" && event.target.tagName !== "INPUT") { return; }
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset || fieldset.getAttribute("data-kind") !== "short") { return; }
    clearTimeout(fieldset._timer);
    fieldset._timer = setTimeout(function () { remember(fieldset); }, 600);
  });
  window.addEventListener("online", flush);

  form.addEventListener("submit", function (event) {
    if (!Object.keys(pending()).length) { localStorage.removeItem(key); return; }
    event.preventDefault();
    flush().then(function (done) {
      if (done) { localStorage.removeItem(key); form.submit(); }
      else { say(form.getAttribute("data-unsent")); }
    });
  });

  // One question a screen, when the test asks for it.
  if (form.hasAttribute("data-one-per-screen")) {
    var questions = form.querySelectorAll("fieldset.question");
    var pager = form.querySelector(".pager");
    var position = pager.querySelector("[data-position]");
    var submit = document.getElementById("submit-attempt");
    var current = 0;
    var show = function (n) {
      current = Math.max(0, Math.min(questions.length - 1, n));
      questions.forEach(function (q, i) { q.hidden = i !== current; });
      pager.querySelector("[data-prev]").disabled = current === 0;
      pager.querySelector("[data-next]").disabled = current === questions.length - 1;
      position.textContent = (current + 1) + " / " + questions.length;
      submit.hidden = current !== questions.length - 1;
    };
    pager.hidden = false;
    pager.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1); });
    pager.querySelector("[data-next]").addEventListener("click", function () {
      show(current + 1);
      questions[current].querySelector("legend").focus();
    });
    questions.forEach(function (q) { q.querySelector("legend").setAttribute("tabindex", "-1"); });
    show(0);
  }

  // The deadline: hand in what is saved when time is up.
  var deadline = document.getElementById("deadline");
  if (deadline) {
    var end = Date.parse(deadline.getAttribute("datetime"));
    var timer = setInterval(function () {
      if (Date.now() >= end) {
        clearInterval(timer);
        say(form.getAttribute("data-time-up"));
        flush().then(function () { localStorage.removeItem(key); form.submit(); });
      }
    }, 1000);
  }
})();
