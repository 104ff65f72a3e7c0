// Năng Lực: uploading training materials with a progress bar (XMLHttpRequest upload progress).
// A form marked data-upload is sent by this script with the CSRF token in a header, so the server can stream the
// files to disk and stop at the size limit; without JavaScript the same form still posts normally.
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : "";
    });
  }
  function human(bytes) {
    var lang = document.documentElement.lang || "vi";
    var units = [["GB", 1073741824], ["MB", 1048576], ["KB", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1] * 1000 / 1024) {
        return (bytes / units[i][1]).toLocaleString(lang, { maximumFractionDigits: 1 }) + " " + units[i][0];
      }
    }
    return bytes + " B";
  }
  function files(form) {
    var out = [];
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      for (var i = 0; i < input.files.length; i++) { out.push(input.files[i]); }
    });
    return out;
  }
  // Checks the browser can make before sending anything: count, empty files, size limit.
  function problem(form, chosen) {
    var d = form.dataset;
    var max = parseInt(d.maxBytes, 10);
    var maxFiles = parseInt(d.maxFiles, 10);
    if (chosen.length > maxFiles) { return fill(d.msgTooMany, { n: maxFiles }); }
    for (var i = 0; i < chosen.length; i++) {
      if (chosen[i].size === 0) { return fill(d.msgEmpty, { name: chosen[i].name }); }
      if (chosen[i].size > max) { return fill(d.msgTooLarge, { name: chosen[i].name, limit: d.limit }); }
    }
    return "";
  }
  function showChosen(form) {
    var list = form.querySelector(".chosen");
    var error = form.querySelector("[data-upload-error]");
    var chosen = files(form);
    if (list) {
      list.replaceChildren();
      chosen.forEach(function (f) {
        var li = document.createElement("li");
        li.textContent = f.name + " · " + human(f.size);
        list.appendChild(li);
      });
    }
    if (error) { error.textContent = problem(form, chosen); }
  }
  function send(form) {
    var error = form.querySelector("[data-upload-error]");
    var status = form.querySelector(".upload-status");
    var bar = form.querySelector("progress");
    var button = form.querySelector('button[type="submit"]');
    var chosen = files(form);
    var stop = problem(form, chosen);
    if (stop) { error.textContent = stop; return; }
    error.textContent = "";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor(event.loaded * 100 / event.total);
      bar.hidden = false;
      bar.value = percent;
      status.textContent = fill(form.dataset.msgProgress,
        { percent: percent + "%", sent: human(event.loaded), total: human(event.total) });
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = form.dataset.msgChecking;
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status >= 200 && xhr.status < 300 && body.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      button.disabled = false;
      bar.hidden = true;
      status.textContent = "";
      error.textContent = typeof body.detail === "string" ? body.detail : (body.message || xhr.statusText);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      bar.hidden = true;
      status.textContent = "";
      error.textContent = form.dataset.msgOffline;
    });
    button.disabled = true;
    xhr.send(new FormData(form));
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    if (form && event.target.type === "file") { showChosen(form); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload]") || event.defaultPrevented) { return; }
    if (!window.FormData || !window.XMLHttpRequest) { return; }  // a very old browser: post the form normally
    event.preventDefault();
    send(form);
  });
})();
