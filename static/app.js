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
