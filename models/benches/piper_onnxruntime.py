#!/usr/bin/env python3
"""onnxruntime's side of `cargo run -p models --example piper_speed`: synthesizes the
phoneme ids given on stdin (JSON: {"ids": [...], "scales": [...], "threads": N, "reps": R}) with
the same ONNX voice and prints {"audio_seconds", "seconds": [...]} (each run timed alone, after
one warm-up run).

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
    feed = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array(request["scales"], dtype=np.float32),
    }
    audio = session.run(None, feed)[0]
    seconds = []
    for _ in range(request["reps"]):
        start = time.perf_counter()
        session.run(None, feed)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"audio_seconds": audio.size / 22050, "seconds": seconds}))


if __name__ == "__main__":
    main()
