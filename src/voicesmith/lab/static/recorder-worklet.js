// Runs on the audio thread: hands each block of microphone samples to the page,
// which keeps them (a WAV is built from them) and shows their level.
class RecorderProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor("recorder", RecorderProcessor);
