#!/usr/bin/env python3
"""Runs (or resumes) the convergence study defined in scripts/study/study.json with `zotune train`.

Every run gets its own folder under --work (default studies/, not committed). A finished run
(summary.json present) is skipped, an interrupted one is continued with `zotune train --resume`, so
the script can be stopped and restarted at any point. After each run a compact copy goes to
docs/study/<task>/<method>/<label>/ (config.json, metrics.jsonl, summary.json, a generation task's
test-answers.jsonl, gzipped seed log: no checkpoints), from which scripts/study/report.py rebuilds every table and plot.

Phases, in order: the learning-rate grid on seed 0 for every task and method; the remaining seeds
at the learning rate with the best dev accuracy (never test); the P-GAP ablations. A study file may
add "arguments" (given to every run, e.g. ["--tuning", "lora"]), "method_arguments" (per method) and
a "group_suffix" naming its runs' folders (docs/study/<task>/<method><suffix>/): see adapters.json.
Entries of "methods" may also be variants named in "variants" ({"pgap-cosine": {"method": "pgap",
"arguments": [...]}}), each with its own folder; "grid" may give per-entry learning rates
("per_method") and a "widen" factor: while the best grid point is at an end, the next point beyond
it (×widen or ÷widen) is run too, so the chosen rate is bracketed: see long-horizon.json.

    scripts/study/run.py                      # everything (hours on 2 cores)
    scripts/study/run.py --tasks rt-sentiment # one task
    scripts/study/run.py --phase ablations    # only the ablations
    scripts/study/run.py --dry-run            # print the commands
    scripts/study/run.py --study scripts/study/adapters.json   # the adapter study (issue #16)

Two single-threaded runs at once use two cores better than one run on both (not every part of a
step is parallel): e.g. `run.py --tasks boolq-like --threads 1 & run.py --tasks copa-like --threads 1`.
Several run.py processes may also share one task: each run is locked while it runs, and a run held
by another process is skipped (run.py again afterwards picks up what was skipped).
"""
import argparse
import contextlib
import fcntl
import gzip
import json
import math
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A copy of the binary can be given with ZOTUNE_BINARY, so that rebuilding during a long study does
# not change the program between its runs.
ZOTUNE = os.environ.get("ZOTUNE_BINARY", os.path.join(ROOT, ".build", "release", "zotune"))
COMPACT = os.path.join(ROOT, "docs", "study")


def load_study(path):
    with open(path) as f:
        return json.load(f)


def steps_for(study, method):
    """Steps that spend the forward budget: the same number of forward passes for every method."""
    return int(study["forward_budget"] // study["forward_passes_per_step"][method])


def lr_label(lr):
    return f"{lr:g}".replace("+", "")


def method_of(study, entry):
    """The zotune --method behind a study entry (an entry is a method or a named variant of one)."""
    return study.get("variants", {}).get(entry, {}).get("method", entry)


def grid_of(study, entry):
    return study["grid"].get("per_method", {}).get(entry, study["grid"]["lr"])


class Run:
    def __init__(self, study, task, entry, seed, lr, variant=None, extra=()):
        method = method_of(study, entry)
        self.task, self.method, self.seed, self.lr = task, method, seed, lr
        self.variant, self.extra = variant, list(extra)
        self.steps = steps_for(study, entry)
        self.eval_every = max(1, math.ceil(self.steps / study["evaluations"]))
        self.model = study["model"]
        prefix = f"{variant}-" if variant else ""
        self.label = f"{prefix}lr{lr_label(lr)}-seed{seed}"
        # A study of adapters (study["arguments"] such as --tuning lora) keeps its runs apart: mezo-lora/…
        group = entry + study.get("group_suffix", "") + ("-ablation" if variant else "")
        self.relative = os.path.join(task, group, self.label)
        self.extra = (list(study.get("arguments", [])) + list(study.get("method_arguments", {}).get(method, []))
                      + list(study.get("variants", {}).get(entry, {}).get("arguments", [])) + self.extra)

    def arguments(self, folder):
        return [ZOTUNE, "train", "--model", self.model, "--task", self.task, "--method", self.method,
                "--steps", str(self.steps), "--eval-every", str(self.eval_every), "--lr", f"{self.lr:g}",
                "--seed", str(self.seed), "--output", folder] + self.extra


def summary_of(folder):
    path = os.path.join(folder, "summary.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


@contextlib.contextmanager
def exclusive(folder):
    """Yields whether this process holds `folder`'s run; the lock dies with the process."""
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    with open(folder + ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def execute(run, work, dry_run, threads=None, keep_checkpoints=False):
    folder = os.path.join(work, run.relative)
    if dry_run:
        return run_or_resume(run, folder, dry_run, threads, keep_checkpoints)
    with exclusive(folder) as held:
        if not held:
            print(f"{run.relative}: running in another run.py; skipped", flush=True)
            return None
        return run_or_resume(run, folder, dry_run, threads, keep_checkpoints)


def run_or_resume(run, folder, dry_run, threads, keep_checkpoints):
    kept = summary_of(os.path.join(COMPACT, run.relative))
    if summary_of(folder) is None and kept is not None:
        # Finished in an earlier checkout whose work folder is gone: the committed compact copy is
        # the run's record (summary, metrics, seed log), so it is not run again.
        return kept
    if summary_of(folder) is None:
        if os.path.exists(os.path.join(folder, "checkpoints", "latest", "trainer-state.json")):
            command = [ZOTUNE, "train", "--resume", folder]
        else:
            command = run.arguments(folder)
        # Not part of the run's configuration: results are the same on any number of threads.
        command += ["--threads", str(threads)] if threads else []
        print("$ " + " ".join(command), flush=True)
        if dry_run:
            return None
        if command[1:3] != ["train", "--resume"]:
            # Stopped before its first checkpoint (or never started): nothing to keep, start afresh.
            shutil.rmtree(folder, ignore_errors=True)
        result = subprocess.run(command)
        summary = summary_of(folder)
        if result.returncode != 0 and not (summary and summary.get("stopReason")):
            raise subprocess.CalledProcessError(result.returncode, command)
        # A run that diverged stops with an error but leaves its summary (stopReason): a grid point
        # like any other, kept and never retried.
    compact(folder, os.path.join(COMPACT, run.relative))
    if not keep_checkpoints:
        # ~1 GB per finished run (best and latest weights); the seed log in the compact copy
        # rebuilds them with `zotune replay`.
        shutil.rmtree(os.path.join(folder, "checkpoints"), ignore_errors=True)
    return summary_of(folder)


def compact(folder, destination):
    """config, metrics, summary and the gzipped seed log: enough to redo tables, plots and weights."""
    os.makedirs(destination, exist_ok=True)
    for name in ["config.json", "metrics.jsonl", "summary.json", "test-answers.jsonl"]:
        if os.path.exists(os.path.join(folder, name)):  # test-answers.jsonl: generation tasks only
            shutil.copyfile(os.path.join(folder, name), os.path.join(destination, name))
    with open(os.path.join(folder, "seed-log.jsonl"), "rb") as source:
        with gzip.GzipFile(os.path.join(destination, "seed-log.jsonl.gz"), "wb", mtime=0) as target:
            shutil.copyfileobj(source, target)


def dev_score(evaluation):
    """What picks a run's best point: F1 for a generation task, else accuracy (as zotune train does)."""
    return evaluation["f1"] if evaluation.get("f1") is not None else evaluation["accuracy"]


def best_lr(summaries):
    """The grid point with the best dev score (ties: the smaller learning rate); a run that diverged
    ranks below every other whatever its early dev score."""
    return max(summaries, key=lambda item: (not item[1].get("stopReason"), dev_score(item[1]["bestDev"]), -item[0]))[0]


def run_grid(study, task, entry, run):
    """Seed 0 over the entry's grid, widened while the best point is at an end (at most `widen_limit`
    extra points, default 3). Returns the chosen learning rate, or None while runs are missing."""
    lrs = list(grid_of(study, entry))
    factor, extra = study["grid"].get("widen"), 0
    while True:
        grid = []
        for lr in sorted(lrs):
            summary = run(Run(study, task, entry, study["seeds"][0], lr))
            if summary:
                grid.append((lr, summary))
        if len(grid) < len(lrs):
            return None
        best = best_lr(grid)
        if not factor or extra >= study["grid"].get("widen_limit", 3) or min(lrs) < best < max(lrs):
            return best
        if min(lrs) == max(lrs):  # one point: both neighbours
            lrs += [float(f"{best * factor:.3g}"), float(f"{best / factor:.3g}")]
        else:
            lrs.append(float(f"{(best * factor if best == max(lrs) else best / factor):.3g}"))
        extra += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", default=os.path.join(ROOT, "scripts", "study", "study.json"))
    parser.add_argument("--work", default=os.path.join(ROOT, "studies"), help="where full run folders go")
    parser.add_argument("--tasks", nargs="*", help="subset of the study's tasks")
    parser.add_argument("--methods", nargs="*", help="subset of the study's methods")
    parser.add_argument("--phase", choices=["all", "main", "ablations"], default="all")
    parser.add_argument("--threads", type=int, help="zotune train --threads (default: all cores)")
    parser.add_argument("--keep-checkpoints", action="store_true",
                        help="keep finished runs' checkpoints (default: delete them, ~1 GB each)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    if not os.access(ZOTUNE, os.X_OK):
        sys.exit(f"run.py: {ZOTUNE} is missing; build it first: swift build -c release --product zotune")
    study = load_study(args.study)
    tasks = args.tasks or study["tasks"]
    methods = args.methods or study["methods"]
    unknown = [t for t in tasks if t not in study["tasks"]] + [m for m in methods if m not in study["methods"]]
    if unknown:
        sys.exit(f"run.py: not in the study: {', '.join(unknown)}")

    def run(entry):
        return execute(entry, args.work, args.dry_run, args.threads, args.keep_checkpoints)

    if args.phase in ("all", "main"):
        for task in tasks:
            for method in study.get("task_methods", {}).get(task, methods):
                if method not in methods:
                    continue
                lr = run_grid(study, task, method, run)
                if lr is None:
                    continue
                for seed in study["seeds"][1:]:
                    run(Run(study, task, method, seed, lr))

    if args.phase in ("all", "ablations"):
        ablation = study.get("ablations")
        if ablation and ablation["task"] in tasks and ablation["method"] in methods:
            grid = [(lr, summary_of(os.path.join(args.work, Run(study, ablation["task"], ablation["method"],
                                                                 study["seeds"][0], lr).relative)))
                    for lr in study["grid"]["lr"]]
            if all(summary for _, summary in grid):
                lr = best_lr(grid)
                # Seed-major: every variant gets its first seed before any gets a second, so a study
                # stopped part-way still compares all variants.
                for seed in ablation["seeds"]:
                    for variant, extra in ablation["variants"].items():
                        run(Run(study, ablation["task"], ablation["method"], seed, lr, variant, extra))
            else:
                print("ablations wait for the P-GAP learning-rate grid on seed 0", flush=True)


if __name__ == "__main__":
    main()
