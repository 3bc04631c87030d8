// The dashboard works without this script (a file is then posted as a plain
// form); the script adds a progress bar, speed and cancel to uploads, and
// keeps an import's status live. It also copies digests and asks before
// a namespace is deleted.
"use strict";

function formatBytes(bytes) {
  const units = [["GiB", 1 << 30], ["MiB", 1 << 20], ["KiB", 1 << 10]];
  for (const [unit, scale] of units) {
    if (bytes >= scale) return (bytes / scale).toFixed(1) + " " + unit;
  }
  return bytes + " B";
}

function startUpload(form, file) {
  const name = form.querySelector("#image-name").value.trim();
  const namespace = form.querySelector("#image-namespace").value.trim();
  const error = form.querySelector("#create-error");
  const panel = form.querySelector("#upload");
  const progress = form.querySelector("#upload-progress");
  const status = form.querySelector("#upload-status");
  const cancel = form.querySelector("#cancel-upload");
  const create = form.querySelector("#create");
  error.hidden = true;
  panel.hidden = false;
  create.disabled = true;
  const query = new URLSearchParams({ name });
  if (namespace) query.set("namespace", namespace);
  const request = new XMLHttpRequest();
  request.open("POST", "/ui/images/upload?" + query.toString());
  request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
  request.setRequestHeader("Content-Type", "application/x-qemu-disk");
  const started = performance.now();
  request.upload.onprogress = (event) => {
    if (!event.lengthComputable) return;
    progress.max = event.total;
    progress.value = event.loaded;
    const seconds = (performance.now() - started) / 1000;
    const speed = seconds > 0 ? formatBytes(event.loaded / seconds) + "/s" : "";
    status.textContent = formatBytes(event.loaded) + " of " + formatBytes(event.total) + " · " + speed;
  };
  request.upload.onload = () => { status.textContent = "checking the image…"; };
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
    panel.hidden = true;
    create.disabled = false;
  };
  request.onload = () => {
    let answer = {};
    try { answer = JSON.parse(request.responseText); } catch (_) { /* not JSON */ }
    if (request.status >= 200 && request.status < 300 && answer.id) {
      window.location.assign("/ui/images/" + String(answer.id).toLowerCase());
    } else {
      fail((answer.error && answer.error.message) || ("the registry answered " + request.status));
    }
  };
  request.onerror = () => fail("the upload was interrupted; try again");
  request.onabort = () => fail("upload cancelled");
  cancel.onclick = () => request.abort();
  request.send(file);
}

function watchImport(section) {
  const url = section.dataset.statusUrl;
  const status = section.querySelector("#import-status");
  const bytes = section.querySelector("#import-bytes");
  const progress = section.querySelector("#import-progress");
  const error = section.querySelector("#import-error");
  const done = section.querySelector("#import-done");
  const link = section.querySelector("#import-image");
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      const job = await response.json();
      if (job.status) {
        status.textContent = job.status;
        bytes.textContent = formatBytes(job.bytes || 0) + (job.total_bytes ? " of " + formatBytes(job.total_bytes) : "");
        if (job.total_bytes) { progress.max = job.total_bytes; progress.value = job.bytes || 0; }
        if (job.error) { error.textContent = job.error.message + " (" + job.error.code + ")"; error.hidden = false; }
        if (job.image_id) { link.href = "/ui/images/" + job.image_id; done.hidden = false; }
        if (job.ended) return;
      }
    } catch (_) { /* try again */ }
    setTimeout(poll, 1000);
  };
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  const form = document.getElementById("create-image");
  if (form) {
    form.addEventListener("submit", (event) => {
      const file = form.querySelector("#image-file").files[0];
      if (!file) return; // a download URL: the form posts as it is
      event.preventDefault();
      startUpload(form, file);
    });
  }
  const section = document.getElementById("import");
  if (section && document.getElementById("import-status").textContent.trim() !== "done"
      && document.getElementById("import-status").textContent.trim() !== "failed") {
    watchImport(section);
  }
  for (const element of document.querySelectorAll(".copy[data-copy]")) {
    element.addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(element.dataset.copy);
      if (element.tagName === "BUTTON") element.textContent = "copied";
      else element.title = "copied";
    });
  }
  for (const confirmed of document.querySelectorAll("form[data-confirm]")) {
    confirmed.addEventListener("submit", (event) => {
      if (!window.confirm(confirmed.dataset.confirm)) event.preventDefault();
    });
  }
});
