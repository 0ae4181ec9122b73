// Speak: any text with any clone or stock voice, in any format and sample rate; it plays
// while it streams, and what arrived can be downloaded as the server sent it.

import { api, clearErrors, on, request, showError } from "./api.js";
import { PcmPlayer, StreamPlayer, WholePlayer } from "./players.js";

const $ = (id) => document.getElementById(id);
const FIELDS = {
  "/text": "speak-text", "/voice": "speak-voice", "/telnyx/response_format": "speak-format",
  "/telnyx/sampling_rate": "speak-rate", "/telnyx/voice_speed": "speak-speed",
  "/telnyx/volume": "speak-volume", "/language": "speak-voice",
};
const MIME = { mp3: "audio/mpeg", wav: "audio/wav", linear16: "audio/L16", mulaw: "audio/basic",
               alaw: "audio/x-alaw-basic", ogg: "audio/ogg", flac: "audio/flac", aac: "audio/aac" };
const EXT = { mp3: "mp3", wav: "wav", linear16: "pcm", mulaw: "ulaw", alaw: "alaw", ogg: "ogg",
              flac: "flac", aac: "aac" };
const PCM = new Set(["wav", "linear16", "mulaw", "alaw"]);
let download = null;
let inFlight = null;
let current = null; // the player of the last speech, stopped when the next one starts

const say = (text) => { $("speak-status").textContent = text; };

function number(id) {
  const raw = $(id).value.trim();
  if (raw === "") return undefined;
  return Number.isNaN(Number(raw)) ? raw : Number(raw);
}

function player(format, rate) {
  const audio = $("speak-audio");
  if (PCM.has(format)) return new PcmPlayer(format, rate);
  if (StreamPlayer.supports(MIME[format])) return new StreamPlayer(audio, MIME[format]);
  return new WholePlayer(audio, MIME[format]);
}

async function speak(ev) {
  ev.preventDefault();
  clearErrors($("speak-form"));
  if (inFlight) inFlight.abort();
  inFlight = new AbortController();
  const format = $("speak-format").value;
  const rate = $("speak-rate").value;
  const telnyx = { response_format: format, voice_speed: number("speak-speed"),
                   volume: number("speak-volume") };
  if (rate) telnyx.sampling_rate = Number(rate);
  $("speak-go").disabled = true;
  $("speak-download").hidden = true;
  say("Speaking…");
  try {
    const response = await request("POST", "/text-to-speech/speech", {
      json: { text: $("speak-text").value, voice: $("speak-voice").value, telnyx },
      signal: inFlight.signal });
    const sampleRate = Number(response.headers.get("x-sample-rate")) || 24000;
    if (current) current.stop();
    const out = player(format, sampleRate);
    current = out;
    $("speak-audio").dataset.player = out.constructor.name;
    const parts = [];
    let bytes = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.length;
      out.push(value);
      say(`Playing while it streams… ${Math.round(bytes / 1024)} KB`);
    }
    const result = await out.end();
    if (result.replay) $("speak-audio").src = URL.createObjectURL(result.replay);
    offerDownload(new Blob(parts, { type: MIME[format] }), format);
    const audio = $("speak-audio");
    audio.dataset.format = format;
    audio.dataset.bytes = String(bytes);
    audio.dataset.seconds = String(result.seconds);
    say(`Spoke ${Number(result.seconds || 0).toFixed(1)} s of ${format} at ${sampleRate} Hz `
        + `(${bytes} bytes).`);
  } catch (err) {
    if (err.name === "AbortError") return;
    say("");
    showError(err, FIELDS, "speak-error");
  } finally {
    $("speak-go").disabled = false;
  }
}

function offerDownload(blob, format) {
  if (download) URL.revokeObjectURL(download);
  download = URL.createObjectURL(blob);
  const a = $("speak-download");
  a.href = download;
  a.download = `speech.${EXT[format]}`;
  a.hidden = false;
}

async function refreshVoices() {
  const select = $("speak-voice");
  const current = select.value;
  try {
    const { voices } = await api("GET", "/text-to-speech/voices");
    const groups = [["Clones", "clone"], ["Stock voices", "stock"]].map(([label, kind]) => {
      const group = document.createElement("optgroup");
      group.label = label;
      for (const v of voices.filter((x) => x.kind === kind)) {
        group.append(new Option(`${v.name} (${v.language || "?"}, ${v.gender || "?"})`, v.voice_id));
      }
      return group;
    });
    select.replaceChildren(...groups);
    if (voices.some((v) => v.voice_id === current)) select.value = current;
  } catch {
    // no key yet
  }
}

// A 8 kHz default for the phone formats, as the server does; shown so it is not a surprise.
function formatChanged() {
  const phone = ["mulaw", "alaw"].includes($("speak-format").value);
  if (phone && !$("speak-rate").value) $("speak-rate").value = "8000";
  if (!phone && $("speak-rate").value === "8000") $("speak-rate").value = "";
}

export function initSpeak() {
  $("speak-form").addEventListener("submit", speak);
  $("speak-format").addEventListener("change", formatChanged);
  on("lab:clones-changed", refreshVoices);
  on("lab:key-changed", refreshVoices);
  on("lab:select-voice", async (ev) => {
    await refreshVoices();
    $("speak-voice").value = ev.detail;
  });
  refreshVoices();
}
