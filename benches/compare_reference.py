#!/usr/bin/env python3
"""Side-by-side epoch time: the reference PyTorch training loop vs `dynphase train`.

Both run on one pinned core in the same invocation, on the full-rank delayed
cue-discrimination task (N = 100, batch 128, delay 200 ms, L = 56 steps, f32), and the script
prints the per-epoch times, their ratio, and the efficiency of `dynphase` against the sgemm
floor: 3 x 2 N^2 B L flop (forward, backward and weight-gradient products) at the
single-thread speed of numpy's BLAS for the 128x100 @ 100x100 product, measured in the same
run.

The PyTorch loop is a re-typing of the paper's reference implementation: `nn.Linear` layers
(input, recurrent and readout, each with a bias), per-step `torch.randn` noise inside the
tanh, r_0 = tanh(0.1 xi), sigmoid readout read before the update, weighted MSE, accuracy and
reliability computed and fetched with `.item()` every epoch, and SGD with momentum 0.9 and
weight decay 1e-7, one thread.

Usage (from the repository root, after `cargo build --release`):

    pip install torch numpy
    python3 benches/compare_reference.py [--epochs 40] [--core 1]

The script re-executes itself under `taskset -c CORE` (Linux) unless --no-pin is given.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

N, B, IN, OUT = 100, 128, 2, 2
DELAY_MS, DT_MS, TAU_MS = 200, 5, 10
ALPHA = DT_MS / TAU_MS
N_IN, N_RESP = 6, 10
N_DELAY = DELAY_MS // DT_MS
L = N_IN + N_DELAY + N_RESP
K = 10


def task(torch):
    """Inputs (B, L, 2), targets (B, L, 2) and per-step loss weights (L,)."""
    u = torch.zeros(B, L, IN)
    y = torch.zeros(B, L, OUT)
    for i in range(B):
        c = i % 2
        e = [0.0, 1.0] if c == 0 else [1.0, 0.0]
        u[i, :N_IN] = torch.tensor(e)
        y[i, N_IN + N_DELAY:N_IN + N_DELAY + N_RESP] = torch.tensor(e)
    w = torch.full((L,), K / L)
    w[L - K:] = 1 - K / L
    a = int((N_IN + N_DELAY) - 1)
    return u, y, w, (a, a + N_RESP)


def torch_epochs(epochs, warmup, lr):
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(0)

    class RNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(IN, N)
            self.rec = nn.Linear(N, N)
            self.out = nn.Linear(N, OUT)
            nn.init.xavier_uniform_(self.inp.weight)
            nn.init.xavier_uniform_(self.rec.weight)
            nn.init.xavier_uniform_(self.out.weight)
            with torch.no_grad():
                self.rec.weight.fill_diagonal_(0.0)

        def forward(self, u):
            r = torch.tanh(0.1 * torch.randn(B, N))
            outs = []
            for t in range(L):
                outs.append(torch.sigmoid(self.out(r)))
                z = torch.tanh(self.inp(u[:, t]) + self.rec(r) + 0.001 * torch.randn(B, N))
                r = (1 - ALPHA) * r + ALPHA * z
            return torch.stack(outs, 1)

    u, y, w, (a, b) = task(torch)
    net = RNN()
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=1e-7)
    times = []
    for e in range(warmup + epochs):
        t0 = time.perf_counter()
        opt.zero_grad()
        o = net(u)
        loss = (w[None, :, None] * (o - y) ** 2).mean()
        p = o[:, a:b] / o[:, a:b].sum(-1, keepdim=True)
        p = torch.nan_to_num(p, nan=0.0)
        yt = y[:, a:b]
        acc = 1 - (p.argmax(-1) - yt.argmax(-1)).abs().float().mean()
        rel = p.gather(-1, yt.argmax(-1, keepdim=True)).mean()
        _ = (round(acc.item(), 4), round(rel.item(), 4), loss.item())
        loss.backward()
        opt.step()
        if e >= warmup:
            times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def dynphase_epoch(binary, epochs, lr):
    """Median-free estimate: (time of E2 epochs - time of E1 epochs) / (E2 - E1), best of 3."""

    def run(n):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(
                [binary, "train", "--model", "full", "--task", "dcdt", "--delay-ms",
                 str(DELAY_MS), "--lr", str(lr), "--epochs", str(n), "--seed", "0"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - t0)
        return best

    e1, e2 = max(2, epochs // 10), epochs * 4
    return (run(e2) - run(e1)) / (e2 - e1)


def sgemm_floor():
    """Seconds for 3 x 2 N^2 B L flop at numpy's single-thread 128x100x100 sgemm speed."""
    import numpy as np

    rng = np.random.default_rng(0)
    r = rng.standard_normal((B, N)).astype(np.float32)
    wt = rng.standard_normal((N, N)).astype(np.float32)
    z = np.empty((B, N), dtype=np.float32)
    best = float("inf")
    reps = 2000
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(r, wt, out=z)
        best = min(best, (time.perf_counter() - t0) / reps)
    gflops = 2 * B * N * N / best / 1e9
    return 3 * L * 2 * B * N * N / (gflops * 1e9), gflops


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--core", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join("target", "release", "dynphase"))
    ap.add_argument("--no-pin", action="store_true")
    args = ap.parse_args()
    if not args.no_pin and shutil.which("taskset") and os.environ.get("_DYNPHASE_PINNED") != "1":
        env = dict(os.environ, _DYNPHASE_PINNED="1", OMP_NUM_THREADS="1",
                   OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        os.execvpe("taskset", ["taskset", "-c", str(args.core), sys.executable] + sys.argv, env)
    if not os.path.exists(args.binary):
        sys.exit(f"error: {args.binary} not found: run `cargo build --release` first")
    floor, gflops = sgemm_floor()
    t_torch = torch_epochs(args.epochs, args.warmup, args.lr)
    t_dyn = dynphase_epoch(args.binary, args.epochs, args.lr)
    import torch

    print(f"pinned core: {args.core if not args.no_pin else 'none'}; torch {torch.__version__}, 1 thread")
    print(f"PyTorch reference loop : {1e3 * t_torch:8.2f} ms/epoch (median of {args.epochs})")
    print(f"dynphase train         : {1e3 * t_dyn:8.2f} ms/epoch")
    print(f"sgemm floor            : {1e3 * floor:8.2f} ms/epoch "
          f"(numpy 128x100x100 sgemm at {gflops:.1f} GFLOP/s, 1 thread)")
    print(f"ratio PyTorch / dynphase : {t_torch / t_dyn:.1f}x")
    print(f"dynphase floor efficiency: {floor / t_dyn:.2f}")


if __name__ == "__main__":
    main()
