#!/usr/bin/python3
"""Convolutional networks in PyTorch, float64: the reference nabla's conv2d, pooling and flatten are tested against.

Each case is a nabla spec (written here, stored in the JSON) and the same network in torch.nn.functional:
a convolution with stride, padding and several channels; max pooling; average pooling with overlapping
windows; and a LeNet-sized network (conv-pool-conv-pool-flatten-dense-cross_entropy). For each, the
JSON holds the input, the parameters, the label or target, the loss and the gradient of every parameter
and of the input (not of a target T), as flat row-major lists with their shapes.

Run with Debian's python3-torch:  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 generator/src/test/python/conv_goldens.py
It writes generator/src/test/resources/golden/conv.json; the tests read only the JSON, never torch.
"""
import json
import pathlib

import torch
import torch.nn.functional as F


def flat(tensor):
    return {"shape": list(tensor.shape), "data": [float(v) for v in tensor.detach().reshape(-1)]}


def leaf(generator, *shape, scale=1.0):
    return (torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1).mul(scale).requires_grad_()


def record(spec, leaves, loss, label=None):
    loss.backward()
    case = {
        "spec": spec,
        "values": {name: flat(value) for name, value in leaves.items()},
        "loss": float(loss),
        # The target is data, not differentiated (as in nabla): gradients of the input and the parameters.
        "gradients": {name: flat(value.grad) for name, value in leaves.items() if name != "T"},
    }
    if label is not None:
        case["label"] = label
    return case


def convolution(generator):
    spec = """model StridedConv
input X[3, 7, 6]
target T[4, 4, 4]
param K[4, 3, 3, 2]
param c[4]
A = tanh(conv2d(K, X, stride=2, padding=1) + c)
loss = mse(A, T)
"""
    x, k, c = leaf(generator, 3, 7, 6), leaf(generator, 4, 3, 3, 2, scale=0.5), leaf(generator, 4)
    t = leaf(generator, 4, 4, 4)
    a = torch.tanh(F.conv2d(x.unsqueeze(0), k, c, stride=2, padding=1)[0])
    loss = ((a - t) ** 2).mean()
    return record(spec, {"X": x, "K": k, "c": c, "T": t}, loss)


def max_pooling(generator):
    spec = """model MaxPooled
input X[2, 6, 6]
target T[3, 3, 3]
param K[3, 2, 3, 3]
conv = conv2d(K, X, padding=1)
pool = maxpool(conv, 2)
over = maxpool(conv, 3, stride=1)
loss = mse(pool, T) + mean(over)
"""
    x, k, t = leaf(generator, 2, 6, 6), leaf(generator, 3, 2, 3, 3), leaf(generator, 3, 3, 3)
    conv = F.conv2d(x.unsqueeze(0), k, padding=1)
    pool = F.max_pool2d(conv, 2)[0]
    over = F.max_pool2d(conv, 3, stride=1)[0]
    loss = ((pool - t) ** 2).mean() + over.mean()
    return record(spec, {"X": x, "K": k, "T": t}, loss)


def average_pooling(generator):
    spec = """model AvgPooled
input X[2, 7, 7]
target T[3, 3, 3]
param K[3, 2, 2, 2]
param c[3]
conv = relu(conv2d(K, X, stride=1) + c)
pool = avgpool(conv, 2, stride=2)
probs = sigmoid(avgpool(conv, 4, stride=2))
loss = mse(pool, T) + sum(probs)
"""
    x, k, c = leaf(generator, 2, 7, 7), leaf(generator, 3, 2, 2, 2), leaf(generator, 3)
    t = leaf(generator, 3, 3, 3)
    conv = F.relu(F.conv2d(x.unsqueeze(0), k, c, stride=1))
    pool = F.avg_pool2d(conv, 2, stride=2)[0]
    probs = torch.sigmoid(F.avg_pool2d(conv, 4, stride=2)[0])
    loss = ((pool - t) ** 2).mean() + probs.sum()
    return record(spec, {"X": x, "K": k, "c": c, "T": t}, loss)


def lenet(generator):
    spec = """model LeNet
input X[1, 28, 28]
label y : 10
param K1[6, 1, 5, 5]
param c1[6]
param K2[16, 6, 5, 5]
param c2[16]
param W3[20, 400]
param b3[20]
param W4[10, 20]
param b4[10]
conv1 = relu(conv2d(K1, X, padding=2) + c1)
pool1 = maxpool(conv1, 2)
conv2 = relu(conv2d(K2, pool1) + c2)
pool2 = maxpool(conv2, 2)
feat = flatten(pool2)
H3 = relu(W3 feat + b3)
logits = W4 H3 + b4
loss = cross_entropy(logits, y)
"""
    x = torch.rand(1, 28, 28, generator=generator, dtype=torch.float64).requires_grad_()
    k1, c1 = leaf(generator, 6, 1, 5, 5, scale=0.4), leaf(generator, 6, scale=0.2)
    k2, c2 = leaf(generator, 16, 6, 5, 5, scale=0.1), leaf(generator, 16, scale=0.1)
    w3, b3 = leaf(generator, 20, 400, scale=0.05), leaf(generator, 20, scale=0.05)
    w4, b4 = leaf(generator, 10, 20, scale=0.2), leaf(generator, 10, scale=0.2)
    label = 7
    conv1 = F.relu(F.conv2d(x.unsqueeze(0), k1, c1, padding=2))
    pool1 = F.max_pool2d(conv1, 2)
    conv2 = F.relu(F.conv2d(pool1, k2, c2))
    pool2 = F.max_pool2d(conv2, 2)
    feat = pool2.reshape(1, -1)
    h3 = F.relu(F.linear(feat, w3, b3))
    logits = F.linear(h3, w4, b4)
    loss = F.cross_entropy(logits, torch.tensor([label]))
    leaves = {"X": x, "K1": k1, "c1": c1, "K2": k2, "c2": c2, "W3": w3, "b3": b3, "W4": w4, "b4": b4}
    return record(spec, leaves, loss, label)


def main():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(15)
    cases = {
        "convolution": convolution(generator),
        "max_pooling": max_pooling(generator),
        "average_pooling": average_pooling(generator),
        "lenet": lenet(generator),
    }
    document = {"torch": torch.__version__, "script": "generator/src/test/python/conv_goldens.py", "cases": cases}
    out = pathlib.Path(__file__).resolve().parents[1] / "resources" / "golden" / "conv.json"
    out.write_text(json.dumps(document) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
