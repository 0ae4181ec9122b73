// A microphone recording as 16-bit mono WAV. MediaRecorder would give WebM, which the
// upload does not accept, so raw samples are taken from an AudioWorklet instead.

export class Recorder {
  constructor(onLevel) {
    this.onLevel = onLevel; // (rms 0..1, seconds so far) for the level meter
    this.chunks = [];
    this.length = 0;
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    this.ctx = new AudioContext();
    await this.ctx.audioWorklet.addModule("/lab/recorder-worklet.js");
    const source = this.ctx.createMediaStreamSource(this.stream);
    const node = new AudioWorkletNode(this.ctx, "recorder");
    // The worklet only runs while connected toward the output; silent, so no feedback.
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    source.connect(node).connect(mute).connect(this.ctx.destination);
    node.port.onmessage = (ev) => {
      const block = ev.data;
      this.chunks.push(block);
      this.length += block.length;
      let sum = 0;
      for (const s of block) sum += s * s;
      this.onLevel(Math.min(1, Math.sqrt(sum / block.length) * 4), this.length / this.ctx.sampleRate);
    };
  }

  // Stops the microphone and returns the recording as a WAV Blob.
  async stop() {
    const rate = this.ctx.sampleRate;
    for (const track of this.stream.getTracks()) track.stop();
    await this.ctx.close();
    this.onLevel(0, this.length / rate);
    return encodeWav(this.chunks, this.length, rate);
  }
}

export function encodeWav(chunks, length, rate) {
  const buffer = new ArrayBuffer(44 + length * 2);
  const view = new DataView(buffer);
  const text = (offset, s) => { for (let i = 0; i < s.length; i += 1) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF");
  view.setUint32(4, 36 + length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, length * 2, true);
  let offset = 44;
  for (const chunk of chunks) {
    for (const s of chunk) {
      view.setInt16(offset, Math.max(-1, Math.min(1, s)) * 0x7fff, true);
      offset += 2;
    }
  }
  return new Blob([buffer], { type: "audio/wav" });
}
