"""llama.cpp's OpenAI-compatible server (PyPI xllamacpp) for the end-to-end tests and the LLM
bench: serves one GGUF on a free loopback port, prints `LISTENING <url>` once it answers, and
runs until killed.

usage: python llama_server.py MODEL.gguf ALIAS [--context N] [--threads N] [--api-key KEY]
"""

import argparse
import signal
import socket

import xllamacpp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("alias")
    parser.add_argument("--context", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-key")
    args = parser.parse_args()
    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = free_port()
    params.n_ctx = args.context
    if args.api_key:
        params.api_keys = [args.api_key]
    # Tool calls in the model's own format (Hermes for Qwen) need the chat template run as Jinja.
    params.use_jinja = True
    params.n_parallel = 1
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.warmup = False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = xllamacpp.Server(params)
    print("LISTENING", server.listening_address, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    main()
