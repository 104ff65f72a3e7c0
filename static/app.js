// Năng Lực: the only page script (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  // Every HTMX request carries the CSRF token, so fragments can change state as safely as forms.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // Let error fragments (4xx) replace their target so the reason is shown where the user is looking.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "toast toast-" + (kind || "success");
    p.setAttribute("role", "status");
    p.textContent = message;
    box.replaceChildren(p);
  }
  document.addEventListener("nl-error", function (event) { toast(event.detail.value, "error"); });
  document.addEventListener("nl-toast", function (event) { toast(event.detail.value, "success"); });
  document.addEventListener("htmx:sendError", function () {
    toast(document.documentElement.lang === "en" ? "No connection. Please try again." : "Mất kết nối. Vui lòng thử lại.", "error");
  });
  // The header menu is one button on a phone (a <details>); on a wide screen it stays open and the button is hidden.
  var menu = document.getElementById("site-menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 1024px)");
    var syncMenu = function () { menu.open = wide.matches; };
    syncMenu();
    if (wide.addEventListener) wide.addEventListener("change", syncMenu);
  }
  // Tables marked .cards become one card per row on a phone: each cell is labelled with its column's heading.
  function labelCells(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("table.cards").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (!td.hasAttribute("data-label") && heads[i] && !td.hasAttribute("colspan")) td.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  labelCells(document);
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target.parentNode || document); });
  // The course's sections are one row that scrolls sideways on a phone: bring the current one into view.
  var current = document.querySelector(".tabs [aria-current=page]");
  if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "center" });
  // After a fragment is swapped in (a roll-call tap), HTMX gives focus back to the element with the same id; when
  // that element is gone (the undo button after an undo), keep focus in the same row instead of the page body.
  var lastRow = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement, row = active && active.closest ? active.closest("li[id], tr[id], article[id]") : null;
    lastRow = row && row !== document.body ? row.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (document.activeElement && document.activeElement !== document.body) return;
    var row = lastRow && document.getElementById(lastRow);
    var target = row && (row.matches("button, a, input") ? row : row.querySelector("button, a, input"));
    if (target) target.focus();
  });
  // A course in a closed reporting period: the banner's reason goes with every form and fragment of the page
  // (the form field late_reason, app.db), so each change is recorded with it rather than refused.
  function lateReason() {
    var input = document.querySelector("[data-late-reason]");
    return input ? input.value.trim() : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var reason = lateReason();
    if (reason) event.detail.parameters.late_reason = reason;
  });
  document.addEventListener("submit", function (event) {
    var form = event.target, reason = lateReason();
    if (!reason || !form.elements || form.elements.namedItem("late_reason")) return;
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "late_reason"; hidden.value = reason;
    form.appendChild(hidden);
  });
  // <form data-confirm="..."> asks before a destructive action.
  document.addEventListener("submit", function (event) {
    var msg = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { event.preventDefault(); }
  }, true);
})();
// Printing shows every collapsed section (module details) in full.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details:not([open])").forEach(function (d) { d.setAttribute("open", ""); d.dataset.printOpened = "1"; });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-print-opened]").forEach(function (d) { d.removeAttribute("open"); delete d.dataset.printOpened; });
});
