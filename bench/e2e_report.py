#!/usr/bin/env python3
"""The tables of bench/run-e2e: reads user.jsonl, java.jsonl, pytorch.jsonl and machine.txt from the directory given
(default bench/target/e2e), prints the markdown and writes it to e2e.md, and the figures with their ratios to e2e.json."""
import json
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/target/e2e"

# The targets of issue 14: nabla's trainer against PyTorch's shuffled loop, and the evaluation against its forward.
TRAIN_TARGETS = {("784-20-10 relu", 64): 3.0, ("784-20-10 relu", 1024): 2.0,
                 ("784-256-128-10 tanh", 64): 1.5, ("784-256-128-10 tanh", 1024): 1.0}
EVALUATION_TARGET = 1.5
TRAINER_OVER_BARE_TARGET = 0.9


def lines(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def fmt(v):
    if v is None:
        return "—"
    return f"{v / 1e6:.2f}M" if v >= 1e6 else f"{v / 1e3:.1f}k" if v >= 1e3 else f"{v:.0f}"


def ratio(a, b):
    return a / b if a and b else None


def fmt_ratio(r, target=None):
    if r is None:
        return "—"
    mark = "" if target is None else (" ✓" if r >= target else " ✗")
    return f"{r:.2f}×{mark}"


user = lines("user.jsonl")
java = lines("java.jsonl")
torch_lines = lines("pytorch.jsonl")
torch_info = next((t for t in torch_lines if "torch" in t), None)
torch = {(t["network"], t["batch"]): t for t in torch_lines if "network" in t}
machine = open(os.path.join(out, "machine.txt")).read().split("\n") if os.path.exists(os.path.join(out, "machine.txt")) else []

md = []
md.append(f"JVM: {machine[0] if machine else '?'}; {machine[1] if len(machine) > 1 else '?'} cores,"
          f" {machine[2].strip() if len(machine) > 2 else '?'}; load before the run: "
          f"{machine[3].split('load average:')[-1].strip() if len(machine) > 3 else '?'}")
if torch_info:
    md.append(f"PyTorch {torch_info['torch']}, {torch_info['threads']} threads, OMP_WAIT_POLICY={torch_info['omp_wait_policy']},"
              f" BLAS {torch_info['blas']}")
md.append("")
user_rows = []
# What each row of the user's table is: the targets apply to the first run, as a new user gets it.
RUNS = {"first": "first run (javac)", "again": "again (cached class)"}
if user:
    md.append(f"A user's runs: `./nabla train --epochs {user[0]['epochs']} --batch B --optimizer sgd --lr 0.1` on"
              " Fashion-MNIST in a fresh JVM, twice in a row, NABLA_CACHE a new empty directory: the first run,"
              " what a new user gets (javac compiles the network's class; the targets apply to it), then the same"
              " command again (the class from the cache, no javac); and PyTorch's shuffled loop likewise in a fresh"
              " process (the real data, lr 0.1, the test set evaluated after each epoch), once a case, against both;"
              " samples/s over the epochs' train seconds (nabla's from metrics.csv), and the wall time of each whole"
              " process:")
    md.append("")
    md.append("| network | batch | nabla run | nabla | PyTorch | nabla / PyTorch | target | nabla's epochs | PyTorch's epochs"
              " | wall: nabla | PyTorch | load before, after |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for u in user:
        n, t = u["nabla"], u.get("pytorch")
        run = u.get("run", "first")
        target = TRAIN_TARGETS.get((u["network"], u["batch"])) if run == "first" else None
        r = ratio(n["samples_per_second"], t["samples_per_second"] if t else None)
        user_rows.append({**u, "run": run, "nabla_over_pytorch": r, "target": target,
                          "wall_nabla_over_pytorch": ratio(n["wall_seconds"], t["wall_seconds"] if t else None)})
        md.append(f"| {u['network']} | {u['batch']} | {RUNS.get(run, run)} | {fmt(n['samples_per_second'])}"
                  f" | {fmt(t['samples_per_second'] if t else None)} | {fmt_ratio(r, target)}"
                  f" | {'≥ %.1f×' % target if target else ''}"
                  f" | {', '.join(fmt(v) for v in n['epoch_samples_per_second'])}"
                  f" | {', '.join(fmt(v) for v in t['epoch_samples_per_second']) if t else '—'}"
                  f" | {n['wall_seconds']:.1f} s | {'%.1f s' % t['wall_seconds'] if t else '—'}"
                  f" | {u['uptime_before']}, {u['uptime_after']} |")
    md.append("")
rows, evaluations = [], []
if java:
    steady_from = next((j["steady_from_epoch"] for j in java if "steady_from_epoch" in j), None)
    epochs = next((j["epochs"] for j in java if "epochs" in j), None)
    md.append("Training, samples/s of the epoch's steps (synthetic data of Fashion-MNIST's shape, SGD, float32). Steady state:"
              f" the median of epochs {steady_from}–{epochs} of each side (nabla's trainer and bare step take their epochs"
              " in turn); the first epoch, the JIT's warm-up included, in its own columns:")
    md.append("")
    md.append("| network | batch | backend | gather | nabla trainer | bare trainStep | trainer / bare | PyTorch loop | nabla / PyTorch | target"
              " | first epoch: trainer | bare | PyTorch |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for j in java:
        t = torch.get((j["network"], j["batch"]))
        target = TRAIN_TARGETS.get((j["network"], j["batch"]))
        r = ratio(j["trainer"], t["train"] if t else None)
        rows.append({**j, "pytorch": t["train"] if t else None, "nabla_over_pytorch": r, "target": target})
        md.append(f"| {j['network']} | {j['batch']} | {j['backend']} | {j['gather']} | {fmt(j['trainer'])} | {fmt(j['bare_train_step'])}"
                  f" | {fmt_ratio(j['trainer_over_bare'], TRAINER_OVER_BARE_TARGET)} | {fmt(t['train'] if t else None)}"
                  f" | {fmt_ratio(r, target)} | {'≥ %.1f×' % target if target else ''}"
                  f" | {fmt(j.get('trainer_first_epoch'))} | {fmt(j.get('bare_first_epoch'))} | {fmt(t.get('train_first_epoch') if t else None)} |")
    md.append("")
    md.append("Evaluation of the 10,000 test images, samples/s, in batches of 1000, each timed after 2 s of warm-up of its own"
              " (nabla: the trainer's Evaluator, loss and accuracy, and predict; PyTorch: its no_grad test loop, loss and"
              " argmax, and the bare no_grad forward):")
    md.append("")
    md.append("| network | backend | nabla evaluation | nabla predict | PyTorch test loop | PyTorch forward | nabla evaluation / PyTorch forward | target |")
    md.append("|---|---|---|---|---|---|---|---|")
    seen = set()
    for j in java:
        key = (j["network"], j["backend"])
        if key in seen:
            continue
        seen.add(key)
        t = next((v for (n, _), v in torch.items() if n == j["network"]), None)
        r = ratio(j["evaluation"], t["forward"] if t else None)
        evaluations.append({"network": j["network"], "backend": j["backend"], "evaluation": j["evaluation"], "predict": j["predict"],
                            "pytorch_evaluation": t["evaluation"] if t else None, "pytorch_forward": t["forward"] if t else None,
                            "evaluation_over_pytorch_forward": r, "target": EVALUATION_TARGET})
        md.append(f"| {j['network']} | {j['backend']} | {fmt(j['evaluation'])} | {fmt(j['predict'])} | {fmt(t['evaluation'] if t else None)}"
                  f" | {fmt(t['forward'] if t else None)} | {fmt_ratio(r, EVALUATION_TARGET)} | ≥ {EVALUATION_TARGET}× |")
text = "\n".join(md) + "\n"
print(text)
with open(os.path.join(out, "e2e.md"), "w") as f:
    f.write(text)
with open(os.path.join(out, "e2e.json"), "w") as f:
    json.dump({"machine": machine, "pytorch": torch_info, "user": user_rows, "training": rows, "evaluation": evaluations},
              f, indent=1)
