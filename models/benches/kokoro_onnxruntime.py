#!/usr/bin/env python3
"""onnxruntime's side of `cargo run -p models --example kokoro_speed`: speaks the phoneme ids
given on stdin (JSON: {"ids": [...], "voice": PATH, "speed": S, "threads": N, "reps": R}) with
the same kokoro-v1.0.int8.onnx and voice row, and prints {"audio_seconds", "seconds": [...]}
(each run timed alone, after one warm-up run).

  python3 -m venv /tmp/ort && /tmp/ort/bin/pip install onnxruntime numpy
"""

import json
import sys
import time

import numpy as np
import onnxruntime


def main():
    model = sys.argv[1]
    request = json.load(sys.stdin)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = request["threads"]
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    ids = request["ids"]
    pack = np.fromfile(request["voice"], dtype="<f4").reshape(-1, 1, 256)
    feed = {
        "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
        "style": pack[len(ids) - 1],
        "speed": np.array([request["speed"]], dtype=np.float32),
    }
    audio = session.run(None, feed)[0]
    seconds = []
    for _ in range(request["reps"]):
        start = time.perf_counter()
        session.run(None, feed)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"audio_seconds": audio.size / 24000, "seconds": seconds}))


if __name__ == "__main__":
    main()
