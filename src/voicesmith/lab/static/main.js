// The lab's entry point: the API key (kept in this browser's storage), then each section.

import { api, emit, getKey, setKey } from "./api.js";
import { initClone } from "./clone.js";
import { initDesign } from "./design.js";
import { initLibrary } from "./library.js";
import { initSpeak } from "./speak.js";
import { initVersions } from "./versions.js";

const $ = (id) => document.getElementById(id);

async function checkKey() {
  const status = $("key-status");
  if (!getKey()) {
    status.textContent = "Enter the API key that `voicesmith serve` printed.";
    return;
  }
  try {
    await api("GET", "/voice_designs?page[size]=1");
    status.textContent = "Key accepted.";
    $("api-key").removeAttribute("aria-invalid");
  } catch (err) {
    status.textContent = err.status === 401
      ? "API key: this key was not accepted." : `API key: ${err.message}`;
    $("api-key").setAttribute("aria-invalid", "true");
  }
}

function init() {
  $("api-key").value = getKey();
  $("key-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    setKey($("api-key").value.trim());
    await checkKey();
    emit("lab:key-changed");
  });
  initDesign();
  initVersions();
  initClone();
  initSpeak();
  initLibrary();
  checkKey();
}

init();
