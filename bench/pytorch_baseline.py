#!/usr/bin/env python3
"""The PyTorch baseline of bench/run: SGD on the same MLPs (relu hidden layers, log_softmax + nll,
float32) on synthetic data, 2 threads; prints samples/s per batch size (and inference) as JSON.

Run with OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch_baseline.py [--seconds S]."""
import argparse
import json
import os
import time

import torch

EPOCH = 60_000


def mlp(widths):
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(torch.nn.ReLU())
    layers.append(torch.nn.LogSoftmax(dim=1))
    return torch.nn.Sequential(*layers)


def train_rate(widths, batch, seconds):
    torch.manual_seed(0)
    x = torch.rand(EPOCH, widths[0])
    y = torch.randint(0, widths[-1], (EPOCH,))
    model = mlp(widths)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.NLLLoss()
    steps_per_epoch = EPOCH // batch

    def step(i):
        start = (i % steps_per_epoch) * batch
        xb, yb = x[start:start + batch], y[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()

    for i in range(min(steps_per_epoch, max(20, 2000 // batch))):  # warm-up
        step(i)
    samples, i, t0 = 0, 0, time.perf_counter()
    while samples < EPOCH and time.perf_counter() - t0 < seconds:
        step(i)
        samples += batch
        i += 1
    return samples / (time.perf_counter() - t0)


def inference_rate(widths, batch, seconds):
    torch.manual_seed(0)
    x = torch.rand(batch, widths[0])
    model = mlp(widths)
    with torch.no_grad():
        for _ in range(3):
            model(x)
        samples, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            model(x)
            samples += batch
    return samples / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0, help="time cap per measurement")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "blas": blas(), "train": {}, "inference": {}}
    for layers in ("784-20-10", "784-256-128-10"):
        widths = [int(w) for w in layers.split("-")]
        result["train"][layers] = {str(b): round(train_rate(widths, b, args.seconds)) for b in (1, 16, 64, 256, 1024)}
        result["inference"][layers] = {"10000": round(inference_rate(widths, 10_000, args.seconds))}
    print(json.dumps(result, indent=1))


def blas():
    try:
        return os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
