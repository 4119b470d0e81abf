#!/usr/bin/env python3
"""PyTorch's own training loop, as its tutorials write it, beside bench/run-e2e's nabla figures: every epoch a fresh
permutation, each step gathers its minibatch with x[perm[i:i+b]], then zero_grad, forward, NLL loss, backward, SGD step
and loss.item() (a running loss, and the check that it is finite, as nabla's trainer does); the epoch's samples over its
time; the figure is the median of the second half of the epochs, as on nabla's side, and the first epoch is reported
apart. Evaluation: the 10,000 test images under no_grad in batches of 1000 (loss and argmax), as a test loop does, and
the bare forward, each timed after 2 s of warm-up.

Synthetic data of Fashion-MNIST's shape (60,000 + 10,000 images of 784 values in [0, 1), ten classes), like nabla's side.
Run as bench/run-e2e does: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch_e2e.py [--epochs 10] CASE...
with CASE as 784-20-10:relu:64. Prints one JSON object per case.

--user DIR: what a user's first run is, the counterpart of `nabla train --epochs 4 --batch B --optimizer sgd --lr 0.1`
in a fresh process: Fashion-MNIST read from DIR's IDX .gz files (pixels / 255, as nabla's loader), one case, --epochs
epochs of the same shuffled loop at lr 0.1, each followed by the test set's evaluation (timed apart, as nabla's epoch
line does); prints the epochs' train seconds. bench/run-e2e times the whole process from outside."""
import argparse
import gzip
import json
import math
import os
import statistics
import time

import torch

TRAIN = 60_000
TEST = 10_000
EVALUATION_BATCH = 1000
WARM_UP_SECONDS = 2.0
ROUNDS = 7


def mlp(widths, activation):
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append({"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[activation]())
    layers.append(torch.nn.LogSoftmax(dim=1))
    return torch.nn.Sequential(*layers)


def run(layers, activation, batch, epochs):
    widths = [int(w) for w in layers.split("-")]
    torch.manual_seed(0)
    x = torch.rand(TRAIN, widths[0])
    y = torch.randint(0, widths[-1], (TRAIN,))
    x_test = torch.rand(TEST, widths[0])
    y_test = torch.randint(0, widths[-1], (TEST,))
    model = mlp(widths, activation)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.NLLLoss()

    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(TRAIN)
        running = 0.0
        for i in range(0, TRAIN, batch):
            index = perm[i:i + batch]
            xb, yb = x[index], y[index]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(f"diverged: loss {value}")
            running += value * len(index)
        rates.append(TRAIN / (time.perf_counter() - start))

    def evaluate():
        total, right = 0.0, 0
        for i in range(0, TEST, EVALUATION_BATCH):
            out = model(x_test[i:i + EVALUATION_BATCH])
            total += loss_fn(out, y_test[i:i + EVALUATION_BATCH]).item() * EVALUATION_BATCH
            right += (out.argmax(1) == y_test[i:i + EVALUATION_BATCH]).sum().item()

    def forward():
        for i in range(0, TEST, EVALUATION_BATCH):
            model(x_test[i:i + EVALUATION_BATCH])

    model.eval()
    with torch.no_grad():
        evaluation = warmed_up_rate(evaluate)
        forwards = warmed_up_rate(forward)
    # The steady state as nabla's side takes it: the median of the second half of the epochs.
    return {"network": f"{layers} {activation}", "batch": batch, "train": round(statistics.median(rates[len(rates) // 2:])),
            "train_first_epoch": round(rates[0]), "train_epochs": [round(r) for r in rates],
            "evaluation": round(evaluation), "forward": round(forwards)}


def idx(path):
    """The array of an IDX .gz file: a magic of 0, 0, type 8 (unsigned byte), the rank; one big-endian int per dimension."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def user_run(directory, layers, activation, batch, epochs):
    """A user's first run in a fresh process: the real data, --epochs epochs at lr 0.1, each with the test evaluation."""
    widths = [int(w) for w in layers.split("-")]
    x = idx(os.path.join(directory, "train-images-idx3-ubyte.gz")).reshape(-1, widths[0]).float() / 255
    y = idx(os.path.join(directory, "train-labels-idx1-ubyte.gz")).long()
    x_test = idx(os.path.join(directory, "t10k-images-idx3-ubyte.gz")).reshape(-1, widths[0]).float() / 255
    y_test = idx(os.path.join(directory, "t10k-labels-idx1-ubyte.gz")).long()
    torch.manual_seed(1)
    model = mlp(widths, activation)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.NLLLoss()
    train_seconds, test_seconds, accuracy = [], [], 0.0
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            index = perm[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            if not math.isfinite(loss.item()):
                raise SystemExit("diverged")
        train_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.eval()
        right = 0
        with torch.no_grad():
            for i in range(0, len(x_test), EVALUATION_BATCH):
                out = model(x_test[i:i + EVALUATION_BATCH])
                loss_fn(out, y_test[i:i + EVALUATION_BATCH]).item()
                right += (out.argmax(1) == y_test[i:i + EVALUATION_BATCH]).sum().item()
        accuracy = right / len(x_test)
        test_seconds.append(time.perf_counter() - start)
    return {"network": f"{layers} {activation}", "batch": batch, "epochs": epochs,
            "train_seconds": [round(t, 4) for t in train_seconds], "test_seconds": [round(t, 4) for t in test_seconds],
            "samples_per_second": round(epochs * len(x) / sum(train_seconds)),
            "epoch_samples_per_second": [round(len(x) / t) for t in train_seconds], "test_accuracy": accuracy}


def warmed_up_rate(run):
    """Test samples per second of run(): run for WARM_UP_SECONDS, then the median of ROUNDS timed runs."""
    end = time.perf_counter() + WARM_UP_SECONDS
    while True:
        run()
        if time.perf_counter() >= end:
            break
    rates = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        rates.append(TEST / (time.perf_counter() - start))
    return statistics.median(rates)


def blas():
    try:
        return os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    except OSError:
        return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10,
                        help="epochs per case; the figure is the median of the second half, the first is reported apart")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--user", metavar="DIR", help="a user's first run on the Fashion-MNIST in DIR (see above)")
    parser.add_argument("cases", nargs="*", default=["784-20-10:relu:64", "784-20-10:relu:1024",
                                                     "784-256-128-10:tanh:64", "784-256-128-10:tanh:1024"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "blas": blas()}), flush=True)
    for case in args.cases:
        layers, activation, batch = case.split(":")
        if args.user:
            print(json.dumps(user_run(args.user, layers, activation, int(batch), args.epochs)), flush=True)
        else:
            print(json.dumps(run(layers, activation, int(batch), args.epochs)), flush=True)


if __name__ == "__main__":
    main()
