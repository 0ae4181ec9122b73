// Design: a prompt becomes three previews (three seeds), each a design the API made;
// the one kept is renamed (or becomes a version of an existing design) and the
// others are deleted, so nothing the user did not keep stays in the library.

import { api, audioUrl, clearErrors, emit, getKey, listAll, on, showError } from "./api.js";
import { describeTraits } from "./traits.js";

const $ = (id) => document.getElementById(id);
const PREVIEWS = 3;
export const PREVIEW_PREFIX = "lab-preview-";
const FIELDS = {
  "/prompt": "prompt", "/text": "design-text", "/language": "design-language",
  "/temperature": "temperature", "/top_k": "top_k", "/top_p": "top_p",
  "/repetition_penalty": "repetition_penalty", "/max_new_tokens": "max_new_tokens",
  "/seed": "seed", "/name": "keep-name", "/voice_design_id": "keep-target",
};
const NUMBERS = ["temperature", "top_k", "top_p", "repetition_penalty", "max_new_tokens"];

let previews = []; // [{design, seed, url}]
let lastRequest = null;

function readRequest() {
  const body = { prompt: $("prompt").value, text: $("design-text").value,
                 language: $("design-language").value };
  for (const name of NUMBERS) {
    // Sent as typed (a number when it parses): the server's 422 explains a bad value.
    const raw = $(name).value.trim();
    if (raw !== "") body[name] = Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  const seed = $("seed").value.trim();
  const base = seed === "" ? Math.floor(Math.random() * 2 ** 31) : Number(seed);
  return { body, base };
}

async function discardPreviews(keep) {
  const doomed = previews.filter((p) => p !== keep);
  previews = keep ? [keep] : [];
  await Promise.allSettled(doomed.map((p) => api("DELETE", `/voice_designs/${p.design.id}`)));
  for (const p of doomed) URL.revokeObjectURL(p.url);
}

async function generate(fresh) {
  const form = $("design-form");
  clearErrors(form);
  // Regenerate reads the form again (the prompt may have been edited) but draws the
  // next three seeds, so a fixed seed still gives new previews, reproducibly.
  const previousBase = lastRequest ? lastRequest.base : 0;
  lastRequest = readRequest();
  if (!fresh) lastRequest.base = (previousBase + PREVIEWS) % 2 ** 32;
  const { body, base } = lastRequest;
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  $("generate").disabled = true;
  $("regenerate").disabled = true;
  $("design-status").textContent = "Generating three previews…";
  await discardPreviews(null);
  renderPreviews();
  try {
    // One first: a request the server refuses is refused once, not three times.
    const first = await makePreview(body, base, `${PREVIEW_PREFIX}${stamp}-1`);
    const others = Array.from({ length: PREVIEWS - 1 }, (_, i) => i + 1);
    const rest = await Promise.allSettled(others.map((i) =>
      makePreview(body, (base + i) % 2 ** 32, `${PREVIEW_PREFIX}${stamp}-${i + 1}`)));
    previews = [first, ...rest.filter((r) => r.status === "fulfilled").map((r) => r.value)];
    const failed = rest.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    $("design-status").textContent = "Three previews ready. Play them, then keep the one you like.";
  } catch (err) {
    $("design-status").textContent = "";
    showError(err, FIELDS, "design-error");
  } finally {
    renderPreviews();
    $("generate").disabled = false;
    $("regenerate").disabled = false;
  }
}

async function makePreview(body, seed, name) {
  const created = await api("POST", "/voice_designs", { json: { ...body, name, seed } });
  const design = created.data;
  // The request is kept with the preview: keeping it later must not read an edited form.
  return { design, seed, body, url: await audioUrl(`/voice_designs/${design.id}/sample`) };
}

function renderPreviews() {
  const box = $("previews");
  box.replaceChildren();
  previews.forEach((p, i) => {
    const card = document.createElement("article");
    card.className = "preview";
    card.setAttribute("aria-label", `Preview ${i + 1}`);
    const h = document.createElement("h3");
    h.textContent = `Preview ${i + 1}`;
    const seed = document.createElement("p");
    seed.textContent = `seed ${p.seed}`;
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "auto";
    audio.src = p.url;
    audio.setAttribute("aria-label", `Preview ${i + 1} audio`);
    const keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = "Keep";
    keep.setAttribute("aria-label", `Keep preview ${i + 1}`);
    keep.addEventListener("click", () => keepPreview(p));
    card.append(h, seed, audio, keep);
    box.append(card);
  });
  $("keep-form").hidden = previews.length === 0;
  $("understood").replaceChildren(...(previews[0] ? describeTraits(previews[0].design.voice_traits) : []));
}

async function keepPreview(preview) {
  const form = $("keep-form");
  clearErrors(form);
  $("design-error").textContent = "";
  const target = $("keep-target").value;
  try {
    let kept;
    if (target) {
      // A version made with the preview's prompt, parameters and seed is the voice heard;
      // repetition_penalty 1.0 because the preview had no earlier versions to move away from.
      const body = { ...preview.body, voice_design_id: target, seed: preview.seed,
                     repetition_penalty: 1.0 };
      kept = (await api("POST", "/voice_designs", { json: body })).data;
      await discardPreviews(null);
    } else {
      const name = $("keep-name").value.trim();
      if (!name) {
        $("keep-name").setAttribute("aria-invalid", "true");
        $("keep-name-error").textContent = "Design name: give the design a name to keep it.";
        $("keep-name").focus();
        return;
      }
      kept = (await api("PATCH", `/voice_designs/${preview.design.id}`, { json: { name } })).data;
      await discardPreviews(preview);
      previews = [];
    }
    renderPreviews();
    $("design-status").textContent = `Kept as ${kept.name}${kept.version ? `, version ${kept.version}` : ""}.`;
    emit("lab:designs-changed");
    document.dispatchEvent(new CustomEvent("lab:show-design", { detail: kept.id }));
  } catch (err) {
    showError(err, FIELDS, "design-error");
  }
}

async function refreshTargets() {
  const select = $("keep-target");
  const current = select.value;
  try {
    const designs = (await listAll("/voice_designs?sort=name"))
      .filter((d) => !d.name.startsWith(PREVIEW_PREFIX));
    const options = [new Option("a new design", "")];
    for (const d of designs) options.push(new Option(`a new version of ${d.name}`, d.id));
    select.replaceChildren(...options);
    select.value = designs.some((d) => d.id === current) ? current : "";
  } catch {
    // No key yet, or a bad one: the key field says so; the list stays as it was.
  }
}

// Previews not kept when the tab closes are deleted (keepalive outlives the page).
function dropPreviewsOnLeave() {
  for (const p of previews) {
    fetch(`/v2/voice_designs/${p.design.id}`, { method: "DELETE", keepalive: true,
      headers: { Authorization: `Bearer ${getKey()}` } }).catch(() => {});
  }
}

export function initDesign() {
  window.addEventListener("pagehide", dropPreviewsOnLeave);
  const prompt = $("prompt");
  const count = () => { $("prompt-count").textContent = `${prompt.value.length} / 5000 characters`; };
  prompt.addEventListener("input", count);
  for (const b of document.querySelectorAll("#design .example")) {
    b.addEventListener("click", () => { prompt.value = b.textContent; count(); prompt.focus(); });
  }
  $("design-form").addEventListener("submit", (ev) => { ev.preventDefault(); generate(true); });
  $("regenerate").addEventListener("click", () => generate(false));
  on("lab:designs-changed", refreshTargets);
  on("lab:key-changed", refreshTargets);
  count();
  refreshTargets();
}
