"""llama.cpp's OpenAI-compatible server (PyPI xllamacpp) for the end-to-end tests: serves one
GGUF on a free loopback port, prints `LISTENING <url>` once it answers, and runs until killed.

usage: python llama_server.py MODEL.gguf ALIAS [CONTEXT]
"""

import signal
import socket
import sys

import xllamacpp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    model, alias = sys.argv[1], sys.argv[2]
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.model_alias = {alias}
    params.hostnames = ["127.0.0.1"]
    params.port = free_port()
    params.n_ctx = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    # Tool calls in the model's own format (Hermes for Qwen) need the chat template run as Jinja.
    params.use_jinja = True
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.warmup = False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = xllamacpp.Server(params)
    print("LISTENING", server.listening_address, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    main()
