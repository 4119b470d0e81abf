#!/usr/bin/env python3
"""A user's runs, the figures bench/run-e2e leads with: for each case, `./nabla train --epochs 4 --batch B --optimizer sgd
--lr 0.1` in a fresh JVM on the real Fashion-MNIST (the lesson's network with no FILE, other widths from a spec written
to OUT/specs), twice in a row with NABLA_CACHE at a new empty directory: the first run (what a new user gets: javac
compiles the class) and the run again (the class from the cache, as when a user trains the same spec with other
settings); then PyTorch's same loop in a fresh process (bench/pytorch_e2e.py --user). Each side's figure is its samples
per second over its epochs' train seconds (nabla's from metrics.csv, the epoch line's figure), and the wall time of its
whole process (JVM or Python start, data, code generation and javac or the cache, the epochs, the evaluations, the
report). Each nabla run is a row of user.jsonl (`run`: first or again), the case's PyTorch run in both.

    bench/user_e2e.py OUT DATA_DIR CASE...      CASE as 784-20-10:relu:64; writes OUT/user.jsonl
Environment: PYTHON (default /usr/bin/python3), USER_EPOCHS (default 4), NABLA_JAVA_OPTS passed on to ./nabla."""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSON = "784-20-10:relu"


def spec(name, widths, activation):
    """The MLP of bench's Networks.spec: activation on the hidden layers, logsoftmax and nll at the end."""
    lines = [f"model {name}", f"input X[{widths[0]}]", f"label y : {widths[-1]}"]
    for l in range(1, len(widths)):
        lines += [f"param W{l}[{widths[l]}, {widths[l - 1]}]", f"param b{l}[{widths[l]}]"]
    previous = "X"
    for l in range(1, len(widths) - 1):
        lines.append(f"Y{l} = {activation}(W{l} {previous} + b{l})")
        previous = f"Y{l}"
    last = len(widths) - 1
    lines += [f"out = logsoftmax(W{last} {previous} + b{last})", "loss = nll(out, y)"]
    return "\n".join(lines) + "\n"


def nabla(out, data, layers, activation, batch, epochs, run, cache):
    run_dir = os.path.join(out, "user", f"{layers}-{activation}-{batch}", run)
    os.makedirs(run_dir, exist_ok=True)
    command = [os.path.join(ROOT, "nabla"), "train"]
    if f"{layers}:{activation}" != LESSON:
        widths = [int(w) for w in layers.split("-")]
        path = os.path.join(out, "specs", f"Mlp{layers.replace('-', '_')}{activation}.nabla")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(spec(f"Mlp{layers.replace('-', '_')}{activation}", widths, activation))
        command.append(path)
    command += ["--epochs", str(epochs), "--batch", str(batch), "--optimizer", "sgd", "--lr", "0.1", "--data", data,
                "--out", os.path.join(run_dir, "nabla-out")]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=run_dir, env={**os.environ, "NABLA_CACHE": cache}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    with open(os.path.join(run_dir, "nabla-out", "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    train_seconds = [float(r["train_seconds"]) for r in rows]
    samples = 60_000 * len(rows)
    return {"train_seconds": train_seconds, "test_seconds": [float(r["eval_seconds"]) for r in rows],
            "samples_per_second": round(samples / sum(train_seconds)),
            "epoch_samples_per_second": [round(float(r["samples_per_second"])) for r in rows],
            "test_accuracy": float(rows[-1]["test_accuracy"]), "wall_seconds": round(wall, 2),
            "cache_entries": len([f for f in os.listdir(cache) if f.endswith(".classes")])}


def pytorch(python, data, layers, activation, batch, epochs):
    command = [python, os.path.join(ROOT, "bench", "pytorch_e2e.py"), "--user", data, "--epochs", str(epochs),
               f"{layers}:{activation}:{batch}"]
    start = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    result = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")][-1]
    return {**result, "wall_seconds": round(wall, 2)}


def main():
    out, data, cases = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]
    python = os.environ.get("PYTHON", "/usr/bin/python3")
    epochs = int(os.environ.get("USER_EPOCHS", "4"))
    os.makedirs(out, exist_ok=True)
    has_torch = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    with open(os.path.join(out, "user.jsonl"), "w") as jsonl:
        for case in cases:
            layers, activation, batch = case.split(":")
            before = open("/proc/loadavg").read().split()[0]
            cache = tempfile.mkdtemp(prefix="nabla-cache-")
            try:
                runs = {run: nabla(out, data, layers, activation, int(batch), epochs, run, cache) for run in ("first", "again")}
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            if runs["first"]["cache_entries"] != 1:
                print(f"{case}: the first run left {runs['first']['cache_entries']} cache entries, not 1: the run again"
                      " compiled with javac too", file=sys.stderr)
            torch = pytorch(python, data, layers, activation, int(batch), epochs) if has_torch else None
            after = open("/proc/loadavg").read().split()[0]
            for run, result in runs.items():
                row = {"network": f"{layers} {activation}", "batch": int(batch), "epochs": epochs, "run": run,
                       "uptime_before": before, "nabla": result}
                if torch:
                    row["pytorch"] = torch
                row["uptime_after"] = after
                print(json.dumps(row), flush=True)
                jsonl.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
