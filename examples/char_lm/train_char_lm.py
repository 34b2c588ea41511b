"""A character-level language model (LSTM + dense softmax) trained with truncated BPTT on a text.

    python examples/char_lm/train_char_lm.py              # a few minutes on corpus.txt
    python examples/char_lm/train_char_lm.py --quick      # seconds (a smoke test)
    python examples/char_lm/train_char_lm.py --text my.txt --minutes 10 --hidden 256

The text is cut into ``--batch`` parallel tracks read ``--seq-len`` characters at a time. The
LSTM's final state of one chunk is the initial state of the next (the memory carries on), while
the gradient stops at the chunk border: that is truncated backpropagation through time. Every
``--sample-every`` iterations the model writes a few lines, so you can watch it learn spaces,
then words, then phrases.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import List, Optional

import numpy as np

import lstmcore as lc
from lstmcore.demo.backend import using_backend
from lstmcore.train import (Adam, CharVocab, Dense, char_lm_batches, clip_grad_norm, one_hot,
                            softmax, softmax_cross_entropy)

HERE = os.path.dirname(os.path.abspath(__file__))


class CharModel:
    """One-hot characters -> LSTM stack -> dense layer -> next-character logits."""

    def __init__(self, vocab_size: int, hidden: int, layers: int, seed: int) -> None:
        self.vocab_size = vocab_size
        self.lstm = lc.LSTM(vocab_size, hidden, layers, seed=seed)
        self.head = Dense(hidden, vocab_size, seed=seed + 1)

    @property
    def params(self):
        return [self.lstm.params, self.head.params]

    @property
    def grads(self):
        return [self.lstm.grads, self.head.grads]

    def step(self, ids: np.ndarray, state, training: bool):
        """Logits (T, B, V) and the final state for int ids (T, B) from ``state``."""
        y, state = self.lstm.forward(one_hot(ids, self.vocab_size), state, training=training)
        return self.head.forward(y, training=training), state

    def backward(self, dlogits: np.ndarray) -> None:
        # dstate=None: no gradient flows into the previous chunk (the truncation).
        self.lstm.backward(self.head.backward(dlogits))

    def zero_grad(self) -> None:
        self.lstm.zero_grad()
        self.head.zero_grad()


def sample(model: CharModel, vocab: CharVocab, prime: str, length: int,
           rng: np.random.Generator, temperature: float = 0.8) -> str:
    """Continue ``prime`` by ``length`` characters drawn from the model's predictions."""
    prime = "".join(c for c in prime if c in vocab.index) or vocab.chars[0]
    logits, state = model.step(vocab.encode(prime)[:, None], None, training=False)
    out: List[int] = []
    for _ in range(length):
        p = softmax(logits[-1, 0].astype(np.float64) / temperature)
        nxt = int(rng.choice(len(p), p=p / p.sum()))
        out.append(nxt)
        logits, state = model.step(np.array([[nxt]]), state, training=False)
    return prime + vocab.decode(out)


def train(args: argparse.Namespace) -> float:
    """Train as ``args`` say; print progress and samples; return the last bits per character."""
    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    model = CharModel(len(vocab), args.hidden, args.layers, args.seed)
    opt = Adam(model.params, lr=args.lr)
    rng = np.random.default_rng(args.seed)
    print(f"{len(text)} characters, {len(vocab)} distinct; LSTM {args.layers}x{args.hidden}, "
          f"{args.batch} tracks of {args.seq_len}-character chunks; budget {args.minutes} min "
          f"or {args.max_iters} iterations")
    start = time.perf_counter()
    it, epoch, bpc, recent = 0, 0, float("nan"), []
    while True:
        epoch += 1
        state = None  # each epoch starts every track from the zero state
        for inputs, targets in char_lm_batches(ids, args.batch, args.seq_len):
            logits, state = model.step(inputs, state, training=True)
            loss, dlogits = softmax_cross_entropy(logits, targets)
            model.backward(dlogits)
            clip_grad_norm(model.grads, args.clip)
            opt.step(model.grads)
            model.zero_grad()
            it += 1
            recent.append(loss / math.log(2))
            elapsed = time.perf_counter() - start
            done = it >= args.max_iters or elapsed >= 60 * args.minutes
            if it % args.log_every == 0 or done:
                bpc = float(np.mean(recent))
                recent = []
                print(f"iter {it:5d}  epoch {epoch:3d}  {bpc:.3f} bits/char  {elapsed:6.1f}s",
                      flush=True)
            if it % args.sample_every == 0 or done:
                print("  sample: " + sample(model, vocab, args.prime, args.sample_len, rng)
                      .replace("\n", "\n          "), flush=True)
            if done:
                return bpc


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--text", default=os.path.join(HERE, "corpus.txt"),
                   help="UTF-8 text to learn (default: the essay shipped next to this script)")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--seq-len", type=int, default=50, help="characters per truncated-BPTT chunk")
    p.add_argument("--batch", type=int, default=16, help="parallel tracks through the text")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--minutes", type=float, default=3.0, help="wall-time budget")
    p.add_argument("--max-iters", type=int, default=100_000)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--sample-every", type=int, default=300)
    p.add_argument("--sample-len", type=int, default=200)
    p.add_argument("--prime", default="The ")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backend", choices=("cpp", "reference"), default="cpp")
    p.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    args = p.parse_args(argv)
    if args.quick:
        args.hidden, args.seq_len, args.batch = 16, 16, 4
        args.max_iters, args.log_every, args.sample_every, args.sample_len = 12, 4, 12, 40
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    with using_backend(args.backend):
        bpc = train(args)
    return 0 if math.isfinite(bpc) else 1


if __name__ == "__main__":
    sys.exit(main())
