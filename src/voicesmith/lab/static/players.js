// Playing speech while it streams. PCM-like formats (wav, linear16, mu-law, A-law) are
// decoded here and scheduled on Web Audio at their own sample rate, so 8 kHz mu-law is
// heard band-limited, as a phone would play it. MP3 (and AAC where the browser can)
// goes through MediaSource; other formats play once they have arrived whole.

import { encodeWav } from "./recorder.js";

function g711Table(decode) {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i += 1) table[i] = decode(i) / 32768;
  return table;
}

// ITU-T G.711: mu-law and A-law bytes to linear samples.
const ULAW = g711Table((byte) => {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
});
const ALAW = g711Table((byte) => {
  const a = byte ^ 0x55;
  const exp = (a >> 4) & 7;
  const mant = a & 0x0f;
  const magnitude = exp === 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (exp - 1);
  return a & 0x80 ? magnitude : -magnitude;
});

// G.711 bytes ("mulaw" or "alaw") as samples in -1..1.
export function decodeG711(format, bytes) {
  const table = format === "mulaw" ? ULAW : ALAW;
  return Float32Array.from(bytes, (b) => table[b]);
}

// The offset of the samples in a streamed WAV, once the header has arrived (else -1).
function wavDataOffset(bytes) {
  if (bytes.length < 12) return -1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    if (id === "data") return offset + 8;
    offset += 8 + view.getUint32(offset + 4, true);
  }
  return -1;
}

export class PcmPlayer {
  constructor(format, rate) {
    this.format = format;
    this.rate = rate;
    this.ctx = new AudioContext();
    this.pending = new Uint8Array(0);
    this.headerDone = format !== "wav";
    this.next = 0;
    this.decoded = [];
    this.samples = 0;
  }

  push(bytes) {
    const joined = new Uint8Array(this.pending.length + bytes.length);
    joined.set(this.pending);
    joined.set(bytes, this.pending.length);
    let data = joined;
    if (!this.headerDone) {
      const start = wavDataOffset(joined);
      if (start < 0) { this.pending = joined; return; }
      this.headerDone = true;
      data = joined.subarray(start);
    }
    const width = this.format === "mulaw" || this.format === "alaw" ? 1 : 2;
    const usable = data.length - (data.length % width);
    this.pending = data.slice(usable);
    if (usable) this.play(this.decode(data.subarray(0, usable)));
  }

  decode(bytes) {
    if (this.format === "mulaw" || this.format === "alaw") return decodeG711(this.format, bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(bytes.length / 2);
    for (let i = 0; i < out.length; i += 1) out[i] = view.getInt16(i * 2, true) / 32768;
    return out;
  }

  play(samples) {
    this.decoded.push(samples);
    this.samples += samples.length;
    const buffer = this.ctx.createBuffer(1, samples.length, this.rate);
    buffer.copyToChannel(samples, 0);
    const node = this.ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(this.ctx.destination);
    // A little ahead of now, so pieces arriving late still join up without a click.
    this.next = Math.max(this.next, this.ctx.currentTime + 0.05);
    node.start(this.next);
    this.next += buffer.duration;
  }

  // Silences it and frees the audio device (browsers cap how many contexts a page holds).
  stop() {
    this.ctx.close().catch(() => {});
  }

  // Seconds of audio decoded; the whole as a WAV (for replay in an <audio> element).
  async end() {
    return { seconds: this.samples / this.rate,
             replay: encodeWav(this.decoded, this.samples, this.rate) };
  }
}

export class StreamPlayer {
  constructor(audio, mime) {
    this.audio = audio;
    this.queue = [];
    this.source = new MediaSource();
    this.url = URL.createObjectURL(this.source);
    audio.src = this.url;
    this.opened = new Promise((resolve) => {
      this.source.addEventListener("sourceopen", resolve, { once: true });
    }).then(() => {
      this.buffer = this.source.addSourceBuffer(mime);
      this.buffer.addEventListener("updateend", () => this.pump());
    });
    this.started = false;
  }

  stop() {
    URL.revokeObjectURL(this.url);
  }

  static supports(mime) {
    return typeof MediaSource !== "undefined" && MediaSource.isTypeSupported(mime);
  }

  push(bytes) {
    this.queue.push(bytes);
    this.opened.then(() => this.pump());
  }

  pump() {
    if (!this.buffer || this.buffer.updating) return;
    if (this.queue.length) {
      this.buffer.appendBuffer(this.queue.shift());
      if (!this.started) {
        this.started = true;
        this.audio.play().catch(() => {}); // autoplay refused: the controls still play it
      }
    } else if (this.ending) {
      this.ending();
    }
  }

  async end() {
    await this.opened;
    await new Promise((resolve) => {
      this.ending = () => { this.ending = null; resolve(); };
      this.pump();
    });
    this.source.endOfStream();
    return { seconds: this.audio.duration, replay: null };
  }
}

// Whole-file formats: kept until the end, then played.
export class WholePlayer {
  constructor(audio, mime) {
    this.audio = audio;
    this.mime = mime;
    this.parts = [];
  }

  push(bytes) { this.parts.push(bytes); }

  stop() {}

  async end() {
    const url = URL.createObjectURL(new Blob(this.parts, { type: this.mime }));
    this.audio.src = url;
    await new Promise((resolve) => {
      this.audio.addEventListener("loadedmetadata", resolve, { once: true });
      this.audio.addEventListener("error", resolve, { once: true });
    });
    this.audio.play().catch(() => {});
    return { seconds: this.audio.duration, replay: null };
  }
}
