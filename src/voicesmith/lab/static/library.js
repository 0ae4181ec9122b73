// Library: every design and clone, searchable, with rename, delete, its id and
// copyable snippets (curl, the telnyx Python SDK, the WebSocket).

import { api, emit, listAll, on, showError } from "./api.js";
import { PREVIEW_PREFIX } from "./design.js";

const $ = (id) => document.getElementById(id);
let designs = [];
let clones = [];

const say = (text) => { $("library-status").textContent = text; };
const base = () => `${window.location.origin}/v2`;
const wsBase = () => base().replace(/^http/, "ws");

function cloneSnippets(c) {
  const voice = `Telnyx.Kokoro.${c.id}`;
  return {
    curl: `curl -X POST ${base()}/text-to-speech/speech \\\n  -H "Authorization: Bearer $TELNYX_API_KEY" \\\n`
      + `  -H "Content-Type: application/json" \\\n  -d '{"text": "Hello there.", "voice": "${voice}"}' \\\n`
      + "  -o hello.mp3",
    Python: `from telnyx import Telnyx\n\nclient = Telnyx(api_key=KEY, base_url="${base()}")\n`
      + "with client.text_to_speech.with_streaming_response.generate_speech(\n"
      + `        text="Hello there.", voice="${voice}") as r:\n    r.stream_to_file("hello.mp3")`,
    WebSocket: `websocat '${wsBase()}/text-to-speech/speech?voice=${voice}&audio_format=linear16' \\\n`
      + '  -H "Authorization: Bearer $TELNYX_API_KEY"\n'
      + '{"text": " "}\n{"text": "Hello there. "}\n{"text": ""}',
  };
}

function designSnippets(d) {
  return {
    curl: `curl ${base()}/voice_designs/${d.id}/sample \\\n  -H "Authorization: Bearer $TELNYX_API_KEY" -o sample.wav`,
    Python: `from telnyx import Telnyx\n\nclient = Telnyx(api_key=KEY, base_url="${base()}")\n`
      + "clone = client.voice_clones.create(voice_clone_request={\n"
      + `    "name": "${d.name}-clone", "voice_design_id": "${d.id}",\n`
      + '    "language": "en", "gender": "neutral"})',
  };
}

function copyButton(label, text) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = "Copy";
  b.setAttribute("aria-label", label);
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      say("Copied.");
    } catch {
      say("The browser refused the clipboard: select the text and copy it.");
    }
  });
  return b;
}

function item(kind, obj, snippets) {
  const li = document.createElement("li");
  const title = document.createElement("strong");
  title.textContent = obj.name;
  const id = document.createElement("code");
  id.textContent = obj.id;
  const info = document.createElement("span");
  info.textContent = kind === "design"
    ? ` ${obj.version_count} version${obj.version_count === 1 ? "" : "s"}` : ` ${obj.status}`;
  const rename = document.createElement("button");
  rename.type = "button";
  rename.textContent = "Rename";
  rename.setAttribute("aria-label", `Rename ${obj.name}`);
  rename.addEventListener("click", () => renameItem(kind, obj));
  const del = document.createElement("button");
  del.type = "button";
  del.textContent = "Delete";
  del.setAttribute("aria-label", `Delete ${obj.name}`);
  del.addEventListener("click", () => deleteItem(kind, obj));
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `Snippets for ${obj.name}`;
  details.append(summary, copyButton(`Copy the id of ${obj.name}`, obj.id));
  for (const [lang, text] of Object.entries(snippets)) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    pre.setAttribute("aria-label", `${lang} snippet for ${obj.name}`);
    details.append(pre, copyButton(`Copy the ${lang} snippet for ${obj.name}`, text));
  }
  li.append(title, " ", id, info, " ", rename, " ", del, details);
  return li;
}

function render() {
  const q = $("library-search").value.trim().toLowerCase();
  const match = (x) => !q || x.name.toLowerCase().includes(q) || x.id.includes(q);
  $("library-designs").replaceChildren(...designs.filter(match)
    .map((d) => item("design", d, designSnippets(d))));
  $("library-clones").replaceChildren(...clones.filter(match)
    .map((c) => item("clone", c, cloneSnippets(c))));
}

async function refresh() {
  $("library-error").textContent = "";
  try {
    [designs, clones] = await Promise.all([listAll("/voice_designs?sort=name"),
                                           listAll("/voice_clones?sort=name")]);
    designs = designs.filter((d) => !d.name.startsWith(PREVIEW_PREFIX));
    render();
  } catch (err) {
    showError(err, {}, "library-error");
  }
}

const path = (kind, obj) => `/${kind === "design" ? "voice_designs" : "voice_clones"}/${obj.id}`;

async function renameItem(kind, obj) {
  const name = window.prompt(`New name for ${obj.name}`, obj.name);
  if (!name || name === obj.name) return;
  try {
    await api("PATCH", path(kind, obj), { json: { name } });
    say(`Renamed ${obj.name} to ${name}.`);
    emit(kind === "design" ? "lab:designs-changed" : "lab:clones-changed");
  } catch (err) {
    showError(err, {}, "library-error");
  }
}

async function deleteItem(kind, obj) {
  if (!window.confirm(`Delete the ${kind} ${obj.name}?`)) return;
  try {
    await api("DELETE", path(kind, obj));
    say(`Deleted ${obj.name}.`);
    emit(kind === "design" ? "lab:designs-changed" : "lab:clones-changed");
  } catch (err) {
    showError(err, {}, "library-error");
  }
}

export function initLibrary() {
  $("library-search").addEventListener("input", render);
  $("library-refresh").addEventListener("click", refresh);
  on("lab:designs-changed", refresh);
  on("lab:clones-changed", refresh);
  on("lab:key-changed", refresh);
  refresh();
}
