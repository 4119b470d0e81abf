#!/usr/bin/python3
"""The lesson's exercise 4 in PyTorch: the reference nabla's gradients are tested against.

    nn.Sequential(nn.Linear(2, 1), nn.ReLU(), nn.Linear(1, 2), nn.ReLU(),
                  nn.Linear(2, 1), nn.Sigmoid())

fed X = (1, 1) with the expected output 1, loss: binary cross-entropy. Double precision, so the
comparison can be tight (1e-9). Writes generator/src/test/resources/golden/exercise4.json in the
layout of `nabla grad`: {"values": <grad's input>, "expected": <grad's output>}. A second case feeds
a minibatch of three samples, whose loss and gradients are the batch means.

Run with Debian's python3-torch:  /usr/bin/python3 generator/src/test/python/exercise4_golden.py
The tests read only the JSON; they never need torch.
"""
import json
import pathlib

import torch
from torch import nn


def matrix(tensor):
    return [[float(v) for v in row] for row in tensor.detach()]


def vector(tensor):
    return [float(v) for v in tensor.detach().reshape(-1)]


def params_of(net):
    names = {}
    for index, layer in enumerate([net[0], net[2], net[4]], start=1):
        names[f"W{index}"] = layer.weight
        names[f"b{index}"] = layer.bias
    return names


def case(seed, samples, targets):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 1), nn.ReLU(), nn.Linear(1, 2), nn.ReLU(),
                        nn.Linear(2, 1), nn.Sigmoid()).double()
    params = params_of(net)
    x = torch.tensor(samples, dtype=torch.float64)
    t = torch.tensor(targets, dtype=torch.float64).reshape(-1, 1)
    out = net(x)
    loss = nn.BCELoss()(out, t)  # mean over the batch, as nabla's ∇C
    loss.backward()
    values = {"params": {name: matrix(p) if p.dim() == 2 else vector(p) for name, p in params.items()}}
    expected = {"loss": float(loss),
                "gradients": {name: matrix(p.grad) if p.dim() == 2 else vector(p.grad)
                              for name, p in params.items()}}
    if len(samples) == 1:
        values["inputs"] = {"x": samples[0]}
        values["target"] = targets[0]
        expected["output"] = vector(out[0])
    else:
        values["batch"] = [{"inputs": {"x": s}, "target": tt} for s, tt in zip(samples, targets)]
        expected["output"] = [vector(row) for row in out]
    return {"values": values, "expected": expected,
            "torch": torch.__version__, "seed": seed}


def main():
    # Seed 11 keeps every ReLU unit active at X = (1, 1), so no gradient is trivially zero.
    cases = {
        "single": case(11, [[1.0, 1.0]], [[1.0]]),
        "batch": case(11, [[1.0, 1.0], [0.5, -0.25], [2.0, 0.75]], [[1.0], [0.0], [1.0]]),
    }
    out = pathlib.Path(__file__).resolve().parents[1] / "resources" / "golden" / "exercise4.json"
    out.write_text(json.dumps(cases, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
