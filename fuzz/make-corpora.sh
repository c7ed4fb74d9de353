#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/<target>/ from the wire transcripts
# (../shared/fixtures/wire beside the checkout, or $SERVEMETER_FIXTURE_DIR) and data/*.yaml.
# Deterministic: the same fixtures give the same files. Usage: fuzz/make-corpora.sh
#
# Inputs of the framer, stream and HTTP targets start with the bytes fuzz/fuzz_reads.h reads
# (an API byte where the target has one, then the read cuts); each transcript is written once
# in one read and once cut into small reads.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${SERVEMETER_FIXTURE_DIR:-$(pwd)/../shared/fixtures/wire}"
if [ ! -d "$fixtures" ]; then
  echo "make-corpora: no wire fixtures at $fixtures (set SERVEMETER_FIXTURE_DIR)" >&2
  exit 1
fi

python3 - "$fixtures" <<'PY'
import json
import pathlib
import shutil
import sys

fixtures = pathlib.Path(sys.argv[1])
corpus = pathlib.Path("fuzz/corpus")
data = pathlib.Path("data")

APIS = ["openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate"]
NO_CUTS = b"\x00"
SMALL_CUTS = bytes([5, 1, 7, 0, 64, 13])  # five reads: 1, 7, 0 (empty), 64, 13 bytes; then the rest

written = {}


def put(target, name, content):
    folder = corpus / target
    if target not in written:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        written[target] = 0
    (folder / name).write_bytes(content)
    written[target] += 1


def fixture_files(*patterns):
    found = []
    for pattern in patterns:
        found += sorted(fixtures.glob("*/" + pattern))
    return found


def api_of(path):
    name = path.name
    if name.startswith("sglang_generate"):
        return 4
    if name.startswith("ollama_api_generate"):
        return 3
    if name.startswith("ollama_api_"):
        return 2
    if "completions" in name:
        return 1
    return 0


def both_cuts(target, stem, prefix, body):
    put(target, stem + "-whole", prefix + NO_CUTS + body)
    put(target, stem + "-cut", prefix + SMALL_CUTS + body)


sse = fixture_files("*.sse")
ndjson = fixture_files("*.ndjson")
errors = [p for p in fixture_files("*.json") if "_error_" in p.name]

# --- framers ---------------------------------------------------------------------------------
for path in sse:
    both_cuts("fuzz_sse_framer", path.stem, b"", path.read_bytes())
first_sse = sse[0].read_bytes()
put("fuzz_sse_framer", "crlf-cut", SMALL_CUTS + first_sse.replace(b"\n", b"\r\n"))
put("fuzz_sse_framer", "cr-cut", SMALL_CUTS + first_sse.replace(b"\n", b"\r"))
put("fuzz_sse_framer", "fields", NO_CUTS +
    b"\xef\xbb\xbf: keep-alive\r\nevent: message\nid: 7\nretry: 3000\ndata\ndata:a\ndata: b\n"
    b"data:  c\ndatum: x\n\ndata: {\"x\":1}\r\n\r\ndata: [DONE]\n\ndata: unterminated")

for path in ndjson:
    both_cuts("fuzz_ndjson_framer", path.stem, b"", path.read_bytes())
first_ndjson = ndjson[0].read_bytes()
put("fuzz_ndjson_framer", "crlf-cut", SMALL_CUTS + first_ndjson.replace(b"\n", b"\r\n"))
put("fuzz_ndjson_framer", "blank-lines", NO_CUTS + b"\n \n\t\r\n{\"a\":1}\r\n\r\n \t \n{\"done\":true}")

# --- stream parsers: API byte, cuts, body ----------------------------------------------------
for path in sse + ndjson:
    both_cuts("fuzz_stream_parser", path.stem, bytes([api_of(path)]), path.read_bytes())
for i, path in enumerate(errors):
    # The API byte also picks the error status (fuzz_stream_parser.cpp).
    put("fuzz_stream_parser", path.stem, bytes([api_of(path) + 5 * (i % 8)]) + NO_CUTS +
        path.read_bytes())

# --- HTTP responses: API byte, cuts, the whole answer ----------------------------------------
def head(status, reason, fields):
    lines = ["HTTP/1.1 %d %s" % (status, reason)] + ["%s: %s" % f for f in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(body, sizes):
    out, pos, i = b"", 0, 0
    while pos < len(body):
        size = sizes[i % len(sizes)]
        i += 1
        out += b"%x\r\n" % len(body[pos:pos + size]) + body[pos:pos + size] + b"\r\n"
        pos += size
    return out + b"0\r\n\r\n"


def event_chunks(body, separator):
    # One chunk per event or line, as uvicorn and Go flush them.
    parts = [p + separator for p in body.split(separator) if p]
    return b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in parts) + b"0\r\n\r\n"


def stream_type(path):
    return "application/x-ndjson" if path.suffix == ".ndjson" else "text/event-stream; charset=utf-8"


DATE = ("date", "Thu, 19 Feb 2026 12:00:30 GMT")
for path in sse + ndjson:
    body = path.read_bytes()
    api = bytes([api_of(path)])
    separator = b"\n" if path.suffix == ".ndjson" else b"\n\n"
    fields = [DATE, ("server", "uvicorn"), ("content-type", stream_type(path)),
              ("transfer-encoding", "chunked")]
    both_cuts("fuzz_http_response", path.stem + "-chunked", api,
              head(200, "OK", fields) + event_chunks(body, separator))
one_per_server = [next(p for p in sse if p.parent.name == server)
                  for server in ("vllm", "sglang", "ollama", "llamacpp")]
for path in one_per_server + ndjson[:1]:
    body = path.read_bytes()
    api = bytes([api_of(path)])
    put("fuzz_http_response", path.stem + "-length", api + SMALL_CUTS + head(
        200, "OK", [("Content-Type", stream_type(path)), ("Content-Length", str(len(body)))]) + body)
    put("fuzz_http_response", path.stem + "-close", api + SMALL_CUTS + head(
        200, "OK", [("Content-Type", stream_type(path)), ("Connection", "close")]) + body)
    put("fuzz_http_response", path.stem + "-odd-chunks", api + SMALL_CUTS + head(
        200, "OK", [("Content-Type", stream_type(path)), ("Transfer-Encoding", "chunked")]) +
        chunked(body, [1, 17, 300, 4096]))
for path in errors:
    body = path.read_bytes()
    status = int(path.stem.split("_error_")[1].split("_")[0])
    reason = {400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    put("fuzz_http_response", path.stem, bytes([api_of(path)]) + NO_CUTS + head(
        status, reason, [DATE, ("content-type", "application/json"),
                         ("content-length", str(len(body)))]) + body)
llama_head = fixtures / "llamacpp" / "llamacpp_error_400_context.headers"
if llama_head.exists():
    raw = llama_head.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    put("fuzz_http_response", "llamacpp_error_400_context-headers", b"\x00" + NO_CUTS + raw +
        (fixtures / "llamacpp" / "llamacpp_error_400_context.json").read_bytes())
for path in fixture_files("*.prom")[:2]:
    body = path.read_bytes()[:2048]
    put("fuzz_http_response", path.stem, b"\x00" + NO_CUTS + head(
        200, "OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                    ("Content-Length", str(len(body)))]) + body)
put("fuzz_http_response", "empty-200", b"\x00" + NO_CUTS + head(200, "OK", [("content-length", "0")]))
put("fuzz_http_response", "http10-close", b"\x02" + NO_CUTS +
    b"HTTP/1.0 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n" + (ndjson[0].read_bytes()))
limited = b'{"error":{"message":"rate limited","type":"RateLimitError","code":429}}'
put("fuzz_http_response", "429-retry", b"\x00" + NO_CUTS + head(
    429, "Too Many Requests", [("Retry-After", "1"), ("Content-Type", "application/json"),
                               ("Content-Length", str(len(limited)))]) + limited)
html = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n"
put("fuzz_http_response", "502-html-chunked", b"\x00" + SMALL_CUTS + head(
    502, "Bad Gateway", [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]) +
    chunked(html, [10]))
put("fuzz_http_response", "200-html", b"\x00" + NO_CUTS + head(
    200, "OK", [("Content-Type", "text/html"), ("Content-Length", str(len(html)))]) + html)
put("fuzz_http_response", "chunk-ext-trailer", b"\x00" + SMALL_CUTS + head(
    200, "OK", [("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked"),
                ("Trailer", "X-Done")]) +
    b"e;ext=1\r\ndata: [DONE]\n\n\r\n0\r\nX-Done: yes\r\n\r\n")

# --- requests JSONL --------------------------------------------------------------------------
def line(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


request_v1 = {
    "schema": "servemeter.request/1", "id": 7, "scenario": "custom", "cell": "in=8,out=4",
    "trial": 1, "warmup": False, "intended_send_ns": 1000000, "send_ns": 1000000,
    "first_token_ns": 3000000, "first_content_ns": 4000000, "end_ns": 6000000,
    "token_event_ns": [3000000, 4000000, 5000000], "requested_input_tokens": 8,
    "requested_output_tokens": 4, "input_tokens": 9, "output_tokens": 4,
    "output_tokens_source": "server", "cached_tokens": None, "reasoning_tokens": None,
    "http_status": 200, "error": None, "error_message": None, "bytes_received": 812,
    "retries": 0, "finish_reason": "length",
    "server_timing": {"prompt_ms": 1.5, "predicted_ms": None, "total_ms": None, "load_ms": None,
                      "cache_n": 3},
    "ttft_ms": 2.0, "tpot_ms": 1.0, "e2el_ms": 5.0}
failed_v1 = dict(request_v1, id=8, error="truncated", first_token_ns=None, first_content_ns=None,
                 token_event_ns=[], output_tokens=0, output_tokens_source="chunk_count",
                 error_message="stream ended without data: [DONE] after 0 events (0 bytes)",
                 finish_reason=None, server_timing={"cache_n": None})
put("fuzz_requests_jsonl", "v1-one", line(request_v1))
put("fuzz_requests_jsonl", "v1-failed", line(failed_v1))
put("fuzz_requests_jsonl", "v1-two", line(request_v1) + line(failed_v1))
put("fuzz_requests_jsonl", "v1-korean", line(dict(request_v1, error="stream_error",
                                                  error_message="서버 오류: 컨텍스트 초과")))
# servemeter.requests/2 (CONTRACTS.md): typed lines, one file per framework and model.
v2 = [
    {"schema": "servemeter.requests/2", "type": "run", "tool_version": "0.1.0",
     "framework": "vllm", "model_preset": "llama3.1-8b",
     "model": "meta-llama/Llama-3.1-8B-Instruct", "base_url": "http://127.0.0.1:8000",
     "api": "openai-chat", "simulated": False, "time_scale": 1.0,
     "request_options": {"max_tokens": 256, "temperature": 0.0, "exact_output_length": True},
     "server_info": {"version": "0.15.1"}},
    {"type": "cell", "cell_key": "s1/in=512,out=256,conc=8", "scenario": "s1",
     "cell": "in=512,out=256,conc=8", "params": {"in": 512, "out": 256, "conc": 8},
     "trials_planned": 3, "dataset_items": 64},
    {"type": "request", "scenario": "s1", "cell": "in=512,out=256,conc=8", "trial": 0, "id": 1,
     "item": 0, "warmup": False, "intended_send_ns": 1000, "send_ns": 1000,
     "first_token_ns": 20000, "first_content_ns": 20000, "end_ns": 90000, "input_tokens": 512,
     "output_tokens": 3, "output_tokens_source": "server", "cached_tokens": None,
     "reasoning_tokens": None, "output_chars": 11, "http_status": 200, "error": None,
     "error_message": None, "retries": 0, "flags": [], "token_gaps_b64": "oJwBkE6QTg"},
    {"type": "request", "scenario": "s1", "cell": "in=512,out=256,conc=8", "trial": 0, "id": 2,
     "item": 1, "warmup": False, "intended_send_ns": 2000, "send_ns": 2100,
     "first_token_ns": None, "first_content_ns": None, "end_ns": 3000, "input_tokens": None,
     "output_tokens": None, "http_status": 429, "error": "rate_limited",
     "error_message": "server answered HTTP 429", "retries": 1, "flags": ["retried"],
     "token_gaps_b64": ""},
    {"type": "trial_end", "cell_key": "s1/in=512,out=256,conc=8", "trial": 0, "requests": 2,
     "ok": 1, "failed": 1, "window_ns": [1000, 90000], "rates": {"output_tps": 33.7},
     "interrupted": False, "telemetry": None},
    {"type": "cell_end", "cell_key": "s1/in=512,out=256,conc=8"},
]
put("fuzz_requests_jsonl", "v2-file", b"".join(line(o) for o in v2))
put("fuzz_requests_jsonl", "v2-request", line(v2[2]))
put("fuzz_requests_jsonl", "v2-cut-last-line", b"".join(line(o) for o in v2)[:-40])

# --- presets ---------------------------------------------------------------------------------
for path in sorted(data.glob("*.yaml")):
    put("fuzz_presets", path.stem, path.read_bytes())
put("fuzz_presets", "user-override", b"frameworks:\n  vllm:\n    port: 8001\n  mine:\n"
    b"    api: openai-chat\n    port: 9000\n    model_check: false\nmodels:\n"
    b"  qwen:\n    vllm: Qwen/Qwen3-8B\n    ollama: \"qwen3:8b\"\n")
put("fuzz_presets", "flow-anchors", b"defaults: &d {api: ollama-chat, port: 11434}\n"
    b"frameworks: {a: *d, b: {<<: *d, port: 1}}\nmodels: {m: {a: x, b: 'y'}}\n")
put("fuzz_presets", "user-command", b"all_frameworks: [tgi, vllm]\nframeworks:\n  tgi:\n"
    b"    api: openai-chat\n    port: 3000\n    command: [tgi, --model-id, \"{model}\", "
    b"\"--bind={host}:{port}\", \"{model_path}\"]\n    env: {A: \"{port}\", B: x}\n"
    b"    venv: env/tgi\n    working_dir: /srv\n    health_timeout_s: 900\n"
    b"    stop_grace_s: 0\n    model_source: file\n    check_command: [tgi, --version]\n")
put("fuzz_presets", "empty", b"")
put("fuzz_presets", "comments-only", b"# nothing here\n---\n")

# --- real v2 raw logs (a simulated run's lines, as the writer writes them) -------------------
samples = pathlib.Path("fuzz") / "samples"
for path in sorted(samples.glob("*.jsonl")):
    put("fuzz_requests_jsonl", path.stem, path.read_bytes())

# --- scenario files ----------------------------------------------------------------------------
for path in sorted((data / "scenarios").glob("*.yaml")):
    put("fuzz_scenario_file", path.stem, path.read_bytes())
put("fuzz_scenario_file", "open-loop", b"name: x\ndefaults: {result_name: custom, output_tokens: 8,"
    b" num_requests: 3}\ncells:\n  - {input_tokens: 64, request_rate: inf}\n"
    b"  - {input_tokens: 64, request_rate: 5, burstiness: 0.5, max_concurrency: 2}\n")

# --- tokenizer files: a tiny byte-level BPE of the shape the presets' files have ---------------
def byte_level_alphabet():
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table
alphabet = byte_level_alphabet()
vocab = {alphabet[b]: b for b in range(256)}
vocab.update({"ab": 256, "abc": 257, "\u0120t": 258})
tiny = {"version": "1.0", "added_tokens": [{"id": 259, "content": "<|x|>", "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]},
        "post_processor": None, "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "dropout": None, "ignore_merges": False,
                  "vocab": vocab, "merges": ["a b", "ab c"]}}
put("fuzz_tokenizer_file", "tiny-bpe", json.dumps(tiny).encode())
put("fuzz_tokenizer_file", "merge-pairs", json.dumps(dict(tiny, model=dict(tiny["model"], merges=[["a", "b"], ["ab", "c"]]))).encode())
put("fuzz_tokenizer_file", "not-a-tokenizer", b'{"architectures": ["LlamaForCausalLM"]}')

for target in sorted(written):
    print("make-corpora: %-22s %3d files" % (target, written[target]))
PY
