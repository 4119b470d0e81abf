#!/usr/bin/env python3
"""Prints bench/run's table from the JSON files in the results directory given as argument."""
import json
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/target/results"


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def samples(results, benchmark):
    """{(impl, layers, batch): samples/s} from a JMH JSON file's 'samples' secondary metric."""
    table = {}
    for r in results or []:
        if not r["benchmark"].endswith(benchmark):
            continue
        p = r.get("params", {})
        metric = r["secondaryMetrics"].get("samples") or r["primaryMetric"]
        table[(p.get("impl", "interpreter"), p.get("layers"), p.get("batch", "10000"))] = metric["score"]
    return table


train = samples(load("train.json"), "TrainingBenchmark.train")
train.update(samples(load("interpreter.json"), "InterpreterBenchmark.train"))
inference = samples(load("inference.json"), "InferenceBenchmark.predict")
torch = load("pytorch.json")
jvm = open(os.path.join(out, "jvm.txt")).read().strip() if os.path.exists(os.path.join(out, "jvm.txt")) else "?"


def fmt(v):
    if v is None:
        return "—"
    return f"{v / 1e6:.2f}M" if v >= 1e6 else f"{v / 1e3:.1f}k" if v >= 1e3 else f"{v:.0f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


print(f"JVM: {jvm}")
if torch:
    print(f"PyTorch {torch['torch']}, {torch['threads']} threads, OMP_WAIT_POLICY={torch['omp_wait_policy']}, BLAS {torch['blas']}")
print()
header = ("| network | batch | generated float | generated vector | generated double | hand-written | interpreter | PyTorch"
          " | float/PyTorch | vector/PyTorch | float/hand | vector/hand |")
for layers in ("784-20-10", "784-256-128-10"):
    print(f"Training, samples/s ({layers})\n")
    print(header)
    print("|" + "---|" * 12)
    rows = [(batch, train, batch) for batch in ("1", "16", "64", "256", "1024")] + [("inference 10,000", inference, "10000")]
    for label, table, batch in rows:
        g = table.get(("generated-float", layers, batch))
        v = table.get(("generated-vector", layers, batch))
        d = table.get(("generated-double", layers, batch))
        h = table.get(("hand", layers, batch))
        i = table.get(("interpreter", layers, batch))
        kind = "inference" if table is inference else "train"
        t = torch[kind][layers].get(batch) if torch else None
        print(f"| {layers} | {label} | {fmt(g)} | {fmt(v)} | {fmt(d)} | {fmt(h)} | {fmt(i)} | {fmt(t)} | {ratio(g, t)} | {ratio(v, t)}"
              f" | {ratio(g, h)} | {ratio(v, h)} |")
    print()

passes = load("passes.json")
if passes:
    times = {}
    for r in passes:
        p = r["params"]
        times[(p["layers"], p.get("backend", "SCALAR"), r["benchmark"].rsplit(".", 1)[1])] = r["primaryMetric"]["score"]
    print("Backward against forward (generated float, batch 64, µs per batch):\n")
    print("| network | backend | forward | forward + backward | backward / forward |")
    print("|---|---|---|---|---|")
    for layers in ("784-20-10", "784-256-128-10"):
        for backend in ("SCALAR", "VECTOR"):
            f, fb = times.get((layers, backend, "forward")), times.get((layers, backend, "forwardBackward"))
            if f and fb:
                print(f"| {layers} | {backend.lower()} | {f:.1f} | {fb:.1f} | {(fb - f) / f:.2f} |")
    print()

path = os.path.join(out, "codegen.jsonl")
if os.path.exists(path):
    print("Code generation (parse + derive + generate + javac in memory), MLP of width 32:\n")
    print("| hidden layers | parse ms | derive ms | generate ms | compile ms | total ms |")
    print("|---|---|---|---|---|---|")
    for line in open(path):
        if line.startswith("{"):
            c = json.loads(line)
            print(f"| {c['depth']} | {c['parse_ms']} | {c['derive_ms']} | {c['generate_ms']} | {c['compile_ms']} | {c['total_ms']} |")
