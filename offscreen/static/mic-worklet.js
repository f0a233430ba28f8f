// The microphone's AudioWorklet processor (an AudioWorklet module must be a script file of its
// own). It mixes each 128-frame render quantum to mono and posts ~100 ms buffers to the offscreen
// document, moving them rather than copying. The document resamples nothing: the speech worker
// does, in Rust.
class LanternMicrophone extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 10);
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels && channels.length > 0) {
      const frames = channels[0].length;
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (const channel of channels) sum += channel[i];
        this.buffer[this.filled++] = sum / channels.length;
        if (this.filled === this.size) {
          this.port.postMessage(this.buffer, [this.buffer.buffer]);
          this.buffer = new Float32Array(this.size);
          this.filled = 0;
        }
      }
    }
    // Keep running while the document holds the node; it disconnects it to stop.
    return true;
  }
}

registerProcessor('lantern-microphone', LanternMicrophone);
