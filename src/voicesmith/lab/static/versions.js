// Versions: one design's history, A/B playback of any two of its versions, rename, delete.

import { ApiError, api, audioUrl, emit, listAll, on, showError } from "./api.js";
import { PREVIEW_PREFIX } from "./design.js";
import { traitSummary } from "./traits.js";

const $ = (id) => document.getElementById(id);
const samples = new Map(); // "id@version" -> object URL, fetched once
let versions = [];
// Refreshes run one after another, so a later one (which picks a design) is never undone.
let chain = Promise.resolve();
const refresh = (id) => { chain = chain.then(() => refreshDesigns(id)); return chain; };

const say = (text) => { $("history-status").textContent = text; };

async function refreshDesigns(selectId) {
  const select = $("history-design");
  const wanted = selectId || select.value;
  let designs = [];
  try {
    designs = (await listAll("/voice_designs?sort=name"))
      .filter((d) => !d.name.startsWith(PREVIEW_PREFIX));
  } catch {
    return; // no key yet: the key field says so
  }
  select.replaceChildren(...designs.map((d) => new Option(d.name, d.id)));
  if (!designs.length) select.append(new Option("no designs yet", ""));
  if (designs.some((d) => d.id === wanted)) select.value = wanted;
  await loadHistory();
}

async function loadHistory() {
  const id = $("history-design").value;
  $("history-error").textContent = "";
  versions = [];
  if (id) {
    try {
      const latest = (await api("GET", `/voice_designs/${id}`)).data;
      // A deleted version leaves a gap in the numbers (404): skipped.
      const all = await Promise.allSettled(Array.from({ length: latest.version }, (_, i) =>
        api("GET", `/voice_designs/${id}?version=${i + 1}`)));
      versions = all.filter((r) => r.status === "fulfilled").map((r) => r.value.data);
    } catch (err) {
      showError(err, {}, "history-error");
    }
  }
  renderHistory();
}

function renderHistory() {
  const list = $("history");
  list.replaceChildren(...versions.map((v) => {
    const li = document.createElement("li");
    li.textContent = `Version ${v.version}: “${v.prompt}” (${traitSummary(v.voice_traits).join(", ")}); `
      + `seed ${v.parameters && v.parameters.seed !== undefined ? v.parameters.seed : "random"}`;
    return li;
  }));
  for (const [select, pick] of [[$("ab-a"), 0], [$("ab-b"), versions.length - 1]]) {
    select.replaceChildren(...versions.map((v) => new Option(`Version ${v.version}`, v.version)));
    if (versions.length) select.value = versions[Math.max(0, pick)].version;
  }
  say(versions.length ? `${versions.length} version${versions.length > 1 ? "s" : ""}.` : "");
}

async function play(which) {
  const id = $("history-design").value;
  const version = $(which === "A" ? "ab-a" : "ab-b").value;
  if (!id || !version) return;
  const key = `${id}@${version}`;
  try {
    if (!samples.has(key)) samples.set(key, await audioUrl(`/voice_designs/${id}/sample?version=${version}`));
    const audio = $("ab-audio");
    audio.src = samples.get(key);
    audio.dataset.playing = `${which}:${version}`;
    await audio.play();
    say(`Playing ${which}: version ${version}.`);
  } catch (err) {
    if (err instanceof ApiError) showError(err, {}, "history-error");
    else say(`Version ${version} is ready: press play on the A/B player.`);
  }
}

async function rename() {
  const select = $("history-design");
  const id = select.value;
  if (!id) return;
  const name = window.prompt("New name for the design", select.selectedOptions[0].textContent);
  if (!name) return;
  try {
    await api("PATCH", `/voice_designs/${id}`, { json: { name } });
    say(`Renamed to ${name}.`);
    emit("lab:designs-changed");
  } catch (err) {
    showError(err, {}, "history-error");
  }
}

async function remove() {
  const select = $("history-design");
  const id = select.value;
  if (!id) return;
  const name = select.selectedOptions[0].textContent;
  if (!window.confirm(`Delete the design ${name} and all its versions? Its clones keep working.`)) return;
  try {
    await api("DELETE", `/voice_designs/${id}`);
    say(`Deleted ${name}.`);
    emit("lab:designs-changed");
  } catch (err) {
    showError(err, {}, "history-error");
  }
}

export function initVersions() {
  $("history-design").addEventListener("change", loadHistory);
  $("play-a").addEventListener("click", () => play("A"));
  $("play-b").addEventListener("click", () => play("B"));
  $("history-rename").addEventListener("click", rename);
  $("history-delete").addEventListener("click", remove);
  on("lab:designs-changed", () => refresh());
  on("lab:key-changed", () => refresh());
  on("lab:show-design", (ev) => refresh(ev.detail));
  refresh();
}
