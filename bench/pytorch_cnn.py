#!/usr/bin/env python3
"""PyTorch's training loop for the convolutional network of issue 15, beside nabla's figures for the same net:

    conv2d(1 -> 32, 3x3, padding 1), relu, maxpool 2; conv2d(32 -> 64, 3x3, padding 1), relu, maxpool 2;
    flatten (3136), linear 128, relu, dropout 0.25, linear 10, cross-entropy.

Real Fashion-MNIST from Debian's dataset-fashion-mnist (pixels / 255, as nabla's loader), Adam lr 1e-3, PyTorch's
default initialization. Every epoch a fresh permutation; each step gathers its minibatch with x[perm[i:i+b]], then
zero_grad, forward, loss, backward, step and loss.item() (the check that it is finite, as nabla's trainer does); the
epoch's samples over its time. After the last epoch, the test accuracy on the 10,000 test images (eval mode: dropout off).

Run with Debian's torch, two threads:
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch_cnn.py [--epochs 1] [--batch 64] [--threads 2]
Prints one JSON object: samples/s per epoch, the loss per epoch, the test accuracy."""
import argparse
import gzip
import json
import math
import os
import time

import numpy
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    path = os.path.join(DATA, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return numpy.frombuffer(data, dtype=numpy.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    return torch.from_numpy(idx(name).astype(numpy.float32) / 255.0).reshape(-1, 1, 28, 28)


def labels(name):
    return torch.from_numpy(idx(name).astype(numpy.int64))


def network():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Dropout(0.25),
        torch.nn.Linear(128, 10))


def accuracy(model, x, y):
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            right += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    model.train()
    return right / len(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
    x_test, y_test = images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")
    model = network()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    rates, losses = [], []
    for _ in range(args.epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(x))
        running = 0.0
        for i in range(0, len(x), args.batch):
            index = perm[i:i + args.batch]
            xb, yb = x[index], y[index]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(f"diverged: loss {value}")
            running += value * len(index)
        rates.append(round(len(x) / (time.perf_counter() - start), 1))
        losses.append(round(running / len(x), 4))
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "mkldnn": torch.backends.mkldnn.is_available(),
                      "network": "conv32-pool-conv64-pool-fc128-dropout0.25-fc10", "batch": args.batch,
                      "optimizer": "Adam lr 1e-3", "epochs": args.epochs, "samples_per_second": rates,
                      "train_loss": losses, "test_accuracy": accuracy(model, x_test, y_test)}), flush=True)


if __name__ == "__main__":
    main()
