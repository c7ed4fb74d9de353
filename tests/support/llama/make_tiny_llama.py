#!/usr/bin/env python3
"""Write a tiny random-weight Llama GGUF that carries the real Llama 3 tokenizer.

The weights are seeded numpy noise (the model produces arbitrary tokens); what is
real is everything a serving benchmark touches: the Llama 3 BPE vocabulary
(128,256 tokens, copied from llama.cpp's models/ggml-vocab-llama-bpe.gguf), the
BOS/EOS ids (llama.cpp also finds <|eot_id|> by its text and treats it as end of
generation) and the Llama 3 Instruct chat template, so prompt token counts, chat
rendering and the server's code paths are those of a real Llama 3 Instruct model.

The shape (width 256, 4 layers, 4 heads, FFN 512, f16 matrices, tied output,
trained context 8192) is that of the model the llama.cpp wire fixtures in
shared/fixtures/wire/llamacpp were captured with: /v1/models reports the same
n_params (35,457,280) and size (70,919,168 bytes of tensors).

Needs numpy and llama.cpp's gguf-py on PYTHONPATH. Nothing is downloaded.

usage: make_tiny_llama.py --vocab VOCAB.gguf --out OUT.gguf [--template T.jinja]
"""

import argparse
import os
import sys

import numpy as np

try:
    import gguf
except ImportError:
    sys.exit("make_tiny_llama.py: cannot import gguf; put llama.cpp's gguf-py on PYTHONPATH")

# Shape of the model. Width 256 and 4 layers keep the file small and the CPU fast;
# the 128,256 x 256 token embedding (tied to the output) dominates the size.
N_EMBD = 256
N_LAYER = 4
N_HEAD = 4  # head_dim 64
N_HEAD_KV = 4
N_FF = 512
N_CTX_TRAIN = 8192  # as Llama 3; the server's -c decides the real context
ROPE_BASE = 500000.0
RMS_EPS = 1e-5
SEED = 20260101

# The Llama 3 Instruct template, used when the vocabulary file and --template give none.
LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
    "{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


def field_value(field):
    """Return (python value, GGUFValueType, sub type) of a reader field."""
    vtype = field.types[0]
    sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
    return field.contents(), vtype, sub


def copy_tokenizer(reader, writer):
    copied = []
    for name, field in reader.fields.items():
        if not name.startswith("tokenizer."):
            continue
        value, vtype, sub = field_value(field)
        writer.add_key_value(name, value, vtype, sub_type=sub)
        copied.append(name)
    return copied


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", required=True, help="llama.cpp models/ggml-vocab-llama-bpe.gguf")
    ap.add_argument("--out", required=True, help="output GGUF path")
    ap.add_argument("--template", help="chat template (jinja) if the vocab file has none")
    ap.add_argument("--f32", action="store_true", help="store matrices as f32 instead of f16")
    args = ap.parse_args()

    reader = gguf.GGUFReader(args.vocab)
    if reader.get_field("tokenizer.ggml.tokens") is None:
        sys.exit(f"make_tiny_llama.py: {args.vocab} has no tokenizer.ggml.tokens")
    n_vocab = len(reader.get_field("tokenizer.ggml.tokens").data)

    arch = "llama"
    tmp = args.out + ".tmp"
    w = gguf.GGUFWriter(tmp, arch)
    w.add_name("servemeter tiny llama3 (random weights)")
    w.add_context_length(N_CTX_TRAIN)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32 if args.f32 else gguf.LlamaFileType.MOSTLY_F16)

    copied = copy_tokenizer(reader, w)
    if "tokenizer.chat_template" not in copied:
        template = LLAMA3_TEMPLATE
        if args.template:
            with open(args.template, encoding="utf-8") as f:
                template = f.read()
        w.add_chat_template(template)

    rng = np.random.default_rng(SEED)
    mat_type = np.float32 if args.f32 else np.float16

    def mat(rows, cols, std=0.02):
        # numpy shape (rows, cols) = ggml ne (cols, rows): rows outputs, cols inputs
        return (rng.standard_normal((rows, cols), dtype=np.float32) * std).astype(mat_type)

    def ones(n):
        return np.ones(n, dtype=np.float32)

    head_dim = N_EMBD // N_HEAD
    # No output.weight: llama.cpp then ties the output projection to token_embd.
    w.add_tensor("token_embd.weight", mat(n_vocab, N_EMBD))
    w.add_tensor("output_norm.weight", ones(N_EMBD))
    for i in range(N_LAYER):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", ones(N_EMBD))
        w.add_tensor(p + "attn_q.weight", mat(N_HEAD * head_dim, N_EMBD))
        w.add_tensor(p + "attn_k.weight", mat(N_HEAD_KV * head_dim, N_EMBD))
        w.add_tensor(p + "attn_v.weight", mat(N_HEAD_KV * head_dim, N_EMBD))
        w.add_tensor(p + "attn_output.weight", mat(N_EMBD, N_HEAD * head_dim))
        w.add_tensor(p + "ffn_norm.weight", ones(N_EMBD))
        w.add_tensor(p + "ffn_gate.weight", mat(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_up.weight", mat(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_down.weight", mat(N_EMBD, N_FF))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: vocab {n_vocab}, {len(copied)} tokenizer keys, "
          f"{os.path.getsize(args.out) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
