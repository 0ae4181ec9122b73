// Clone: from a design version, an uploaded file, or a recording made here. An upload's
// capture may answer 202 (pending): it is polled until active or failed, with progress shown.

import { api, clearErrors, emit, listAll, on, showError } from "./api.js";
import { PREVIEW_PREFIX } from "./design.js";
import { Recorder } from "./recorder.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
let recorder = null;
let recording = null; // Blob (WAV) of the last recording
let recordingUrl = null;

const source = () => document.querySelector('input[name="clone-source"]:checked').value;
const say = (text) => { $("clone-status").textContent = text; };

function fields() {
  const audio = source() === "record" ? "recording" : "clone-file";
  return { "/name": "clone-name", "/language": "clone-language", "/gender": "clone-gender",
           "/voice_design_id": "clone-design", "/version": "clone-version",
           "/audio_file": audio, "/ref_text": "clone-transcript" };
}

function showSource() {
  const s = source();
  $("clone-from-design").hidden = s !== "design";
  $("clone-from-upload").hidden = s !== "upload";
  $("clone-from-record").hidden = s !== "record";
  $("clone-transcript-field").hidden = s === "design";
  // The script is what a recording says; a file says something else.
  const script = $("script").textContent.replace(/\s+/g, " ").trim();
  if (s === "record" && !$("clone-transcript").value) $("clone-transcript").value = script;
  if (s === "upload" && $("clone-transcript").value === script) $("clone-transcript").value = "";
}

async function refreshDesigns() {
  try {
    const designs = (await listAll("/voice_designs?sort=name"))
      .filter((d) => !d.name.startsWith(PREVIEW_PREFIX));
    const select = $("clone-design");
    const current = select.value;
    select.replaceChildren(...designs.map((d) => {
      const o = new Option(d.name, d.id);
      o.dataset.latest = d.latest_version || 1;
      return o;
    }));
    if (!designs.length) select.append(new Option("no designs yet", ""));
    if (designs.some((d) => d.id === current)) select.value = current;
    refreshVersions();
  } catch {
    // no key yet
  }
}

function refreshVersions() {
  const chosen = $("clone-design").selectedOptions[0];
  const latest = chosen ? Number(chosen.dataset.latest) : 0;
  const options = [];
  for (let v = latest; v >= 1; v -= 1) options.push(new Option(`Version ${v}`, String(v)));
  $("clone-version").replaceChildren(...options);
}

async function startRecording() {
  $("recording-error").textContent = "";
  recorder = new Recorder((level, seconds) => {
    $("level").value = level;
    $("record-time").textContent = `${seconds.toFixed(1)} s`;
  });
  try {
    await recorder.start();
  } catch (err) {
    recorder = null;
    $("recording-error").textContent = `Recording: the microphone could not be opened (${err.message}).`;
    return;
  }
  $("record").disabled = true;
  $("rerecord").disabled = true;
  $("record-stop").disabled = false;
  $("record-stop").focus();
  say("Recording… read the script, then press Stop.");
}

async function stopRecording() {
  if (!recorder) return;
  const done = recorder;
  recorder = null;
  recording = await done.stop();
  if (recordingUrl) URL.revokeObjectURL(recordingUrl);
  recordingUrl = URL.createObjectURL(recording);
  $("recording").src = recordingUrl;
  $("record-stop").disabled = true;
  $("rerecord").disabled = false;
  $("record").disabled = true;
  say(`Recorded ${$("record-time").textContent}. Listen back, re-record, or create the clone.`);
}

async function rerecord() {
  recording = null;
  await startRecording();
}

async function createClone(ev) {
  ev.preventDefault();
  const form = $("clone-form");
  clearErrors(form);
  const common = { name: $("clone-name").value.trim(), language: $("clone-language").value,
                   gender: $("clone-gender").value };
  $("clone-create").disabled = true;
  try {
    let clone;
    if (source() === "design") {
      say("Cloning the design version…");
      clone = (await api("POST", "/voice_clones", { json: {
        ...common, voice_design_id: $("clone-design").value,
        version: Number($("clone-version").value) || undefined } })).data;
    } else {
      clone = await upload(common);
    }
    finish(clone);
  } catch (err) {
    say("");
    showError(err, fields(), "clone-error");
  } finally {
    $("clone-progress").hidden = true;
    $("clone-create").disabled = false;
  }
}

async function upload(common) {
  const form = new FormData();
  for (const [k, v] of Object.entries(common)) form.append(k, v);
  form.append("provider", "telnyx");
  const transcript = $("clone-transcript").value.trim();
  if (transcript) form.append("ref_text", transcript);
  if (source() === "record") {
    if (recording) form.append("audio_file", recording, "recording.wav");
  } else if ($("clone-file").files[0]) {
    form.append("audio_file", $("clone-file").files[0]);
  }
  $("clone-progress").hidden = false;
  const started = Date.now();
  say("Uploading and capturing the voice (about half a minute)…");
  let clone = (await api("POST", "/voice_clones/from_upload", { form })).data;
  while (clone.status === "pending") {
    say(`Capturing the voice… ${Math.round((Date.now() - started) / 1000)} s`);
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    clone = (await api("GET", `/voice_clones/${clone.id}`)).data;
  }
  if (clone.status === "failed") {
    const why = clone.capture && clone.capture.error ? clone.capture.error : "the capture failed";
    throw new Error(`The clone ${clone.name} failed: ${why}`);
  }
  return clone;
}

function finish(clone) {
  const c = clone.capture;
  const how = c && c.voice ? ` Captured as ${c.voice}` + (typeof c.similarity === "number"
    ? ` (similarity ${c.similarity.toFixed(2)})` : "") + "." : "";
  say(`Clone ${clone.name} is ${clone.status}. Its id: ${clone.id}.${how}`);
  $("clone-status").dataset.cloneId = clone.id;
  emit("lab:clones-changed");
}

export function initClone() {
  for (const r of document.querySelectorAll('input[name="clone-source"]')) {
    r.addEventListener("change", showSource);
  }
  $("clone-design").addEventListener("change", refreshVersions);
  $("record").addEventListener("click", startRecording);
  $("record-stop").addEventListener("click", stopRecording);
  $("rerecord").addEventListener("click", rerecord);
  $("clone-form").addEventListener("submit", createClone);
  on("lab:designs-changed", refreshDesigns);
  on("lab:key-changed", refreshDesigns);
  showSource();
  refreshDesigns();
}
