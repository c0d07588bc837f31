#!/usr/bin/env python3
"""Rebuilds the study's tables and plots from the committed compact runs in docs/study/.

Writes docs/study/plots/<task>-dev-accuracy.svg and <task>-training-loss.svg (mean over seeds with
a min–max band, against forward passes) and replaces the part of docs/RESULTS.md between
<!-- study:begin --> and <!-- study:end --> with the tables. Standard library only.

    scripts/study/report.py
"""
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUDY = os.path.join(ROOT, "docs", "study")
RESULTS = os.path.join(ROOT, "docs", "RESULTS.md")
COLORS = {"mezo": "#1f77b4", "subzero": "#2ca02c", "dizo": "#9467bd", "pgap": "#d62728",
          "fzoo": "#e377c2", "zo-muon": "#ff7f0e", "pgap-cosine": "#8c564b", "pgap-paper": "#7f7f7f", "pgap-activations": "#aec7e8",
          # P-GAP ablation variants (the default is P-GAP's red)
          "default": "#d62728", "alignment-off": "#7f7f7f", "rank-16": "#ff7f0e", "rank-128": "#8c564b",
          "window-50": "#17becf", "window-200": "#bcbd22"}
METHODS = ["mezo", "subzero", "dizo", "pgap"]


def read_run(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    steps, evals = [], []
    with open(os.path.join(folder, "metrics.jsonl")) as f:
        for line in f:
            record = json.loads(line)
            (steps if record["kind"] == "step" else evals).append(record)
    return {"config": config, "summary": summary, "steps": steps, "evals": evals,
            "label": os.path.basename(folder), "lr": config["training"]["learningRate"],
            "seed": config["training"]["seed"]}


def load():
    """{task: {group: [run]}} where group is a method or '<method>-ablation'."""
    runs = {}
    if not os.path.isdir(STUDY):
        return runs
    # The study's order (rt-sentiment first), then any other task folder alphabetically.
    with open(os.path.join(ROOT, "scripts", "study", "study.json")) as f:
        order = json.load(f)["tasks"]
    for task in sorted(os.listdir(STUDY), key=lambda t: (order.index(t) if t in order else len(order), t)):
        task_dir = os.path.join(STUDY, task)
        if not os.path.isdir(task_dir) or task == "plots":
            continue
        for group in sorted(os.listdir(task_dir)):
            for label in sorted(os.listdir(os.path.join(task_dir, group))):
                folder = os.path.join(task_dir, group, label)
                if os.path.exists(os.path.join(folder, "summary.json")):
                    runs.setdefault(task, {}).setdefault(group, []).append(read_run(folder))
    return runs


def chosen(runs):
    """The learning rate with the best seed-0 dev accuracy, and every run at it."""
    seed0 = [r for r in runs if r["seed"] == 0 and not r["label"].startswith(("alignment", "rank", "window"))]
    if not seed0:
        return None, []
    lr = max(seed0, key=lambda r: (dev_score(r["summary"]["bestDev"]), -r["lr"]))["lr"]
    return lr, [r for r in runs if r["lr"] == lr]


def dev_score(evaluation):
    """F1 for a generation task, else accuracy: what picks the best point (as zotune train does)."""
    return evaluation["f1"] if evaluation.get("f1") is not None else evaluation["accuracy"]


# A target (MeZO's final dev accuracy) closer than this to the zero-shot dev accuracy is reached by
# noise as much as by training: speed verdicts against it are flagged as weak.
WEAK_HEADROOM = 0.02

# The task whose batch `scripts/bench --training-step` times.
BENCH_TASK = "rt-sentiment"


def idle_step_seconds(methods=METHODS):
    """{method: seconds per amortised step on an idle machine} from the last scripts/bench run, or {}.

    Study runs share the machine with other work, so their measured seconds carry its load; the
    idle estimate is steps × the benchmarked step cost (same model, batch 16, same prompts)."""
    path = os.path.join(ROOT, "docs", "bench", "reports.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        runs = json.load(f)["results"].get("training-step", [])
    mezo = [r["mezo/step/median_s"] for r in runs if "mezo/step/median_s" in r]
    if not mezo:
        return {}
    seconds = {"mezo": statistics.median(mezo)}
    for method in methods[1:]:
        ratios = [r[f"{method}/amortised/ratio_to_mezo"] for r in runs if f"{method}/amortised/ratio_to_mezo" in r]
        if ratios:
            seconds[method] = seconds["mezo"] * statistics.median(ratios)
    return seconds


def mean_std(values):
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def eval_score(record):
    """A metrics.jsonl evaluation's dev score: F1 for a generation task, else accuracy (as dev_score)."""
    return record["dev_f1"] if record.get("dev_f1") is not None else record["dev_accuracy"]


def dev_curve(run):
    """[(forward passes, dev score)] at each evaluation, including zero-shot at 0."""
    passes_at_step = {s["step"] + 1: s["forward_passes"] for s in run["steps"]}
    return [(0 if e["split"] == "zero-shot" else passes_at_step.get(e["step"], 0), eval_score(e))
            for e in run["evals"] if e["split"] in ("zero-shot", "dev")]


def reach(run, target):
    """(steps, forward passes, seconds) at the first evaluation with a dev score ≥ target, or None."""
    seconds, passes = {}, {}
    total = 0.0
    for s in run["steps"]:
        total += s["seconds"]
        seconds[s["step"] + 1] = total
        passes[s["step"] + 1] = s["forward_passes"]
    for e in run["evals"]:
        if e["split"] == "dev" and eval_score(e) >= target:
            return e["step"], passes[e["step"]], seconds[e["step"]]
    return None


def grid_size(name="study.json"):
    with open(os.path.join(ROOT, "scripts", "study", name)) as f:
        study = json.load(f)
    return len(study["grid"]["lr"]), len(study["seeds"])


def main_table(task, groups, methods=METHODS, study="study.json", title=None):
    """The task's tables, and per method the facts the claims table needs. `groups` maps each of
    `methods` to its runs (a study with a group suffix maps them first: see long_horizon)."""
    facts = {}
    grid_points, seed_count = grid_size(study)
    lines = [f"### {title or task}", ""] + (
        ["Scores are F1 (a generation task: dev, test and MeZO's final dev score below).", ""] if is_generation(groups) else []) + [
             "| method | lr (chosen on dev) | seeds | zero-shot test | test at best dev | best dev | forward passes | train time / run |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    final_dev = {}
    picked = {}
    for method in methods:
        lr, runs = chosen(groups.get(method, []))
        if not runs:
            continue
        picked[method] = runs
        s = [r["summary"] for r in runs]
        grid_done = len({r["lr"] for r in groups.get(method, []) if r["seed"] == 0}) >= grid_points
        facts[method] = {"test": [dev_score(x["test"]) for x in s], "settled": grid_done and len(runs) >= seed_count}
        final_dev[method] = statistics.mean(eval_score(r["evals"][-1]) for r in runs if r["evals"])
        lines.append(
            f"| {method} | {lr:g} | {len(runs)} | {dev_score(s[0]['zeroShotTest']):.3f} | "
            f"{mean_std([dev_score(x['test']) for x in s])} | {mean_std([dev_score(x['bestDev']) for x in s])} | "
            f"{statistics.mean(x['forwardPasses'] for x in s):.0f} | {statistics.mean(x['seconds'] for x in s) / 60:.1f} min |")
    if "mezo" in final_dev:
        target = final_dev["mezo"]
        facts["target"] = target
        facts["headroom"] = target - statistics.mean(dev_score(r["summary"]["zeroShotDev"]) for r in picked["mezo"])
        idle = idle_step_seconds(methods)
        lines += ["", f"To reach MeZO's final dev accuracy ({target:.3f}, mean over its seeds): first evaluation at or above it, "
                      "mean over the seeds that reach it (steps, forward passes, training seconds as measured), and the ratio "
                      "to MeZO's. *Idle time* = steps × the method's amortised step cost from the last `scripts/bench` run "
                      "(docs/bench/reports.json): the wall time on a quiet machine, which the measured seconds of runs "
                      "sharing the machine are not." + ("" if task == BENCH_TASK else
                      f" The step costs are {BENCH_TASK}'s (the benchmark's batch): on {task} read the ratio, not the seconds."), "",
                  "| method | seeds reaching it | steps | forward passes | seconds (measured) | idle time | forward passes ÷ MeZO's | idle time ÷ MeZO's |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        base = None
        for method in methods:
            if method not in picked:
                continue
            hits = [h for h in (reach(r, target) for r in picked[method]) if h]
            facts[method]["reached"] = (len(hits), len(picked[method]))
            if not hits:
                lines.append(f"| {method} | 0/{len(picked[method])} | — | — | — | — | — | — |")
                continue
            steps, passes, seconds = (statistics.mean(h[i] for h in hits) for i in range(3))
            idle_seconds = steps * idle[method] if method in idle else None
            if method == "mezo":
                base = (passes, idle_seconds)
            passes_ratio = f"{passes / base[0]:.2f}" if base else "—"
            idle_ratio = f"{idle_seconds / base[1]:.2f}" if base and base[1] and idle_seconds else "—"
            idle_text = f"{idle_seconds:.0f} s" if idle_seconds else "—"
            lines.append(f"| {method} | {len(hits)}/{len(picked[method])} | {steps:.0f} | {passes:.0f} | {seconds:.0f} s | "
                         f"{idle_text} | {passes_ratio} | {idle_ratio} |")
            if base:
                facts[method]["passes_ratio"] = passes / base[0]
                if base[1] and idle_seconds:
                    facts[method]["idle_ratio"] = idle_seconds / base[1]
    return lines, picked, facts


ADAPTER_STUDIES = ["adapters.json", "adapters-pgap-eps.json", "adapters-prefix.json", "base-precision.json",
                   "base-products-int8.json"]


def adapter_grids():
    """{group: learning rates in its study's grid} for the adapter studies (e.g. "mezo-lora")."""
    grids = {}
    for name in ADAPTER_STUDIES:
        path = os.path.join(ROOT, "scripts", "study", name)
        if os.path.exists(path):
            with open(path) as f:
                study = json.load(f)
            for method in study["methods"]:
                grids[method + study.get("group_suffix", "")] = study["grid"]["lr"]
    return grids


def first_order_runs(task):
    """The first-order reference runs (scripts/reference/first_order_lora.py --output), if committed."""
    folder = os.path.join(STUDY, task, "first-order-lora")
    if not os.path.isdir(folder):
        return []
    runs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                runs.append(json.load(f))
    return runs


def peak_rss(summaries):
    """Mean peak RSS of runs that recorded it, in MiB."""
    values = [x["peakResidentBytes"] for x in summaries if x.get("peakResidentBytes")]
    return f"{statistics.mean(values) / 2 ** 20:.0f} MiB" if values else "—"


def adapter_table(task, groups, full_mezo):
    """Adapters (issue #16) beside full MeZO at the same forward-pass budget, and first-order LoRA."""
    grids = adapter_grids()
    present = [g for g in grids if g in groups]
    if not present:
        return []
    lines = [f"### Adapters on {task}", "",
             "Full MeZO's row is the study's (above). *Start test*: test accuracy before training — the base's zero-shot "
             "for LoRA (B = 0), the freshly initialised adapter's for prefix and prompt tuning. *Diverged*: seed-0 grid runs "
             "stopped by the divergence guard. *-stored*: the frozen base kept as its file stores it (SmolLM2's Q4_1 blocks, "
             "bf16 products; issue #17); *-int8*: the same with int8 products (`--base-products int8`); the others fp32. *Peak RSS*: the training process's, mean over the seeds.", "",
             "| scheme | lr (chosen on dev) | grid tried | seeds | start test | test at best dev | best dev | forward passes | train time / run | peak RSS | diverged |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    if full_mezo:
        s = [r["summary"] for r in full_mezo]
        lines.append(f"| mezo (full) | {full_mezo[0]['lr']:g} | — | {len(s)} | {s[0]['zeroShotTest']['accuracy']:.3f} | "
                     f"{mean_std([x['test']['accuracy'] for x in s])} | {mean_std([x['bestDev']['accuracy'] for x in s])} | "
                     f"{statistics.mean(x['forwardPasses'] for x in s):.0f} | {statistics.mean(x['seconds'] for x in s) / 60:.1f} min | "
                     f"{peak_rss(s)} | — |")
    for group in present:
        lr, runs = chosen(groups[group])
        if not runs:
            continue
        s = [r["summary"] for r in runs]
        tried = sorted({r["lr"] for r in groups[group] if r["seed"] == 0})
        diverged = sum(1 for r in groups[group] if r["seed"] == 0 and "diverged" in r["summary"].get("stopReason", ""))
        lines.append(f"| {group} | {lr:g} | {', '.join(f'{x:g}' for x in tried)} | {len(s)} | {s[0]['zeroShotTest']['accuracy']:.3f} | "
                     f"{mean_std([x['test']['accuracy'] for x in s])} | {mean_std([x['bestDev']['accuracy'] for x in s])} | "
                     f"{statistics.mean(x['forwardPasses'] for x in s):.0f} | {statistics.mean(x['seconds'] for x in s) / 60:.1f} min | "
                     f"{peak_rss(s)} | {diverged} |")
    first_order = first_order_runs(task)
    if first_order:
        lines += ["", "First-order LoRA in PyTorch + PEFT (AdamW, backprop; `scripts/reference/first_order_lora.py`, one "
                      "thread like the ZO runs, the same splits via `zotune examples`): *to target* is the training time "
                      "(evaluations excluded) until dev accuracy first reached the target given to the script.", "",
                  "| lr | seed | steps × batch | best dev | test at best dev | target | to target | s / step | peak RSS |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for run in first_order:
            reached = run.get("reached_target")
            to_target = f"step {reached['step']}, {reached['training_seconds']:.0f} s" if reached else "not reached"
            target = f"{run['target']:.3f}" if run.get("target") is not None else "—"
            lines.append(f"| {run['lr']:g} | {run['seed']} | {run['steps']} × {run['batch_size']} | {run['best_dev_accuracy']:.3f} | "
                         f"{run['test_accuracy_at_best_dev']:.3f} | {target} | {to_target} | {run['seconds_per_step']:.2f} | "
                         f"{run['peak_rss_mib']:.0f} MiB |")
    return lines


def accuracy_verdict(method, facts, claim):
    """Test accuracy of `method` minus MeZO's, against two standard errors of that difference (Welch:
    sqrt(s_a²/n_a + s_b²/n_b) over the seeds), so that three seeds' noise is not read as a gain."""
    if method not in facts or "mezo" not in facts or not (facts[method]["settled"] and facts["mezo"]["settled"]):
        return "not measured yet (needs the grid and 3 seeds of both)"
    a, b = facts[method]["test"], facts["mezo"]["test"]
    diff = statistics.mean(a) - statistics.mean(b)
    error = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
    if diff > 2 * error:
        verdict = "holds: better than MeZO by more than two standard errors"
    elif diff < -2 * error:
        verdict = "does not hold: worse than MeZO by more than two standard errors"
    elif diff > 0:
        verdict = "not shown: better on average, but within two standard errors"
    else:
        verdict = "does not hold: not better than MeZO on average"
    return f"{diff * 100:+.1f} points (two standard errors ±{2 * error * 100:.1f}); {verdict} ({claim})"


def speed_verdict(method, facts, key, claim_ratio, what):
    """Forward passes or idle time to MeZO's final dev accuracy, as a fraction of MeZO's."""
    if method not in facts or "mezo" not in facts or not (facts[method]["settled"] and facts["mezo"]["settled"]):
        return "not measured yet (needs the grid and 3 seeds of both)"
    reached, runs = facts[method].get("reached", (0, 0))
    if key not in facts[method]:
        return f"does not hold: {reached}/{runs} seeds reach MeZO's final dev accuracy within the budget"
    ratio = facts[method][key]
    if reached < runs:
        verdict = f"does not hold reliably: only {reached}/{runs} seeds reach it (ratio over those)"
    elif claim_ratio is None:  # a claim of "faster" with no figure
        verdict = "holds" if ratio < 1 else f"does not hold: no fewer {what} than MeZO"
    elif ratio <= claim_ratio * 1.25:
        verdict = "holds"
    elif ratio < 1:
        verdict = f"partly: fewer {what} than MeZO, far from the claimed {claim_ratio:.2f}"
    else:
        verdict = f"does not hold: no fewer {what} than MeZO"
    if facts.get("headroom", 1) < WEAK_HEADROOM:
        verdict += (f" — weak evidence: the target is only {facts['headroom'] * 100:.1f} points above zero-shot dev, "
                    "so this measures when a run first crosses it")
    return f"{ratio:.2f}× MeZO's ({reached}/{runs} seeds reach it); {verdict}"


def claims_table(facts_by_task):
    """One row per paper claim and task, each with its measured value and a verdict rule stated above."""
    lines = ["### The papers' claims, re-measured", "",
             "Verdict rules: accuracy claims hold when the method's mean test accuracy beats MeZO's by more than "
             "two standard errors of the difference (Welch, over the seeds); speed claims compare the forward passes (or idle-machine time) "
             "needed to reach MeZO's final dev accuracy, and hold within 25 % of the claimed fraction (a claim of "
             "plain \"faster\": below 1), flagged as weak evidence when that target is less than "
             f"{WEAK_HEADROOM * 100:.0f} points above the zero-shot dev accuracy. Dev accuracy is measured six times "
             "per run, so these fractions move in steps of about 1/6.", "",
             "| claim (paper) | task | measured |", "|---|---|---|"]
    for task, facts in facts_by_task.items():
        lines += [
            f"| P-GAP: up to +6 % accuracy vs MeZO on classification | {task} | {accuracy_verdict('pgap', facts, 'claim: up to +6')} |",
            f"| P-GAP: −81 % iterations vs MeZO (0.19×) | {task} | {speed_verdict('pgap', facts, 'passes_ratio', 0.19, 'forward passes')} |",
            f"| P-GAP: −70 % time vs MeZO (0.30×) | {task} | {speed_verdict('pgap', facts, 'idle_ratio', 0.30, 'seconds')} |",
            f"| DiZO: −48 % GPU hours vs MeZO (0.52×) | {task} | {speed_verdict('dizo', facts, 'idle_ratio', 0.52, 'seconds')} |",
            f"| DiZO: +1.6 points vs MeZO (OPT-2.7B SST-2) | {task} | {accuracy_verdict('dizo', facts, 'claim: +1.6')} |",
            f"| SubZero: faster convergence than MeZO | {task} | {speed_verdict('subzero', facts, 'passes_ratio', None, 'forward passes')} |",
            f"| SubZero: better accuracy than MeZO | {task} | {accuracy_verdict('subzero', facts, 'claim: better')} |",
        ]
    return lines


def ablation_variants(runs, default_name, default_runs):
    """{variant: [run]}: P-GAP's default first (under `default_name`), then each ablation variant,
    named by its run label without the "-lr…-seed…" tail."""
    variants = {default_name: default_runs}
    for r in runs:
        variants.setdefault(r["label"].rsplit("-lr", 1)[0], []).append(r)
    return variants


def ablation_table(task, runs, default_runs, target):
    """P-GAP's variants beside its default (the main runs at the same learning rate), each compared with
    the default on the same seeds, and how many forward passes each needs to reach `target` (MeZO's
    final dev accuracy)."""
    with open(os.path.join(ROOT, "scripts", "study", "study.json")) as f:
        settings = json.load(f)["ablations"]["variants"]
    default_name = "default (rank 64, window 100, δ schedule)"
    variants = ablation_variants(runs, default_name, default_runs)
    default_test = {r["seed"]: r["summary"]["test"]["accuracy"] for r in default_runs}
    lines = [f"### P-GAP ablations on {task}", "",
             "Each variant changes one setting of P-GAP's default at the learning rate chosen for P-GAP; "
             "*Δ test* is the variant's test accuracy minus the default's on the same seeds (mean over them). "
             + (f"*To target*: forward passes to reach MeZO's final dev accuracy ({target:.3f}), mean over the seeds "
                "that reach it." if target is not None else ""), "",
             "| variant | flags | seeds | test at best dev | Δ test vs default | best dev | to target (seeds reaching) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, group in variants.items():
        if not group:
            continue
        group = sorted(group, key=lambda r: r["seed"])
        s = [r["summary"] for r in group]
        paired = [r["summary"]["test"]["accuracy"] - default_test[r["seed"]] for r in group if r["seed"] in default_test]
        delta = "—" if name == default_name or not paired else f"{statistics.mean(paired) * 100:+.1f} pts ({len(paired)})"
        hits = [h for h in (reach(r, target) for r in group) if h] if target is not None else []
        to_target = f"{statistics.mean(h[1] for h in hits):.0f} ({len(hits)}/{len(group)})" if hits else f"— (0/{len(group)})"
        flags = " ".join(settings.get(name, [])) or "—"
        lines.append(f"| {name} | `{flags}` | {len(s)} | {mean_std([x['test']['accuracy'] for x in s])} | {delta} | "
                     f"{mean_std([x['bestDev']['accuracy'] for x in s])} | {to_target} |")
    return lines


def svg_plot(path, title, y_label, series):
    """series: {method: [curve per seed]} with curves [(x, y)]; draws mean and min–max band."""
    width, height, left, right, top, bottom = 680, 360, 60, 160, 30, 45
    points = [p for curves in series.values() for c in curves for p in c]
    if not points:
        return
    x_max = max(p[0] for p in points) or 1
    y_min, y_max = min(p[1] for p in points), max(p[1] for p in points)
    pad = (y_max - y_min) * 0.08 or 0.01
    y_min, y_max = y_min - pad, y_max + pad

    def sx(x):
        return left + (width - left - right) * x / x_max

    def sy(y):
        return top + (height - top - bottom) * (1 - (y - y_min) / (y_max - y_min))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
           f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">forward passes</text>',
           f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 {(top + height - bottom) / 2})">{y_label}</text>']
    for i in range(5):
        y = y_min + (y_max - y_min) * i / 4
        out.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.3f}</text>')
        x = x_max * i / 4
        out.append(f'<text x="{sx(x):.1f}" y="{height - bottom + 15}" text-anchor="middle">{x:.0f}</text>')
    legend = 0
    for method, curves in series.items():
        color = COLORS.get(method, "#555")
        xs = sorted({p[0] for c in curves for p in c})
        mean, low, high = [], [], []
        for x in xs:
            ys = [dict(c).get(x) for c in curves]
            ys = [y for y in ys if y is not None]
            if ys:
                mean.append((x, statistics.mean(ys)))
                low.append((x, min(ys)))
                high.append((x, max(ys)))
        if len(curves) > 1:
            band = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in high + low[::-1])
            out.append(f'<polygon points="{band}" fill="{color}" fill-opacity="0.15" stroke="none"/>')
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in mean)
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 10}" y="{top + 14 + 16 * legend}" fill="{color}">{method} ({len(curves)} seed{"" if len(curves) == 1 else "s"})</text>')
        legend += 1
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def loss_curve(run, window=25):
    """Moving average of the step losses against forward passes."""
    losses = [(s["forward_passes"], s["loss"]) for s in run["steps"]]
    curve = []
    for i in range(window - 1, len(losses), max(1, window // 5)):
        chunk = losses[i - window + 1:i + 1]
        curve.append((chunk[-1][0], statistics.mean(l for _, l in chunk)))
    return curve


LONG_STUDY = "long-horizon.json"


def second_task_pilot(runs):
    """Why the long-horizon study's second task: MeZO's dev gain over zero-shot there, read from the
    study that measured it (`second_task.pilot`), per seed."""
    with open(os.path.join(ROOT, "scripts", "study", LONG_STUDY)) as f:
        second = json.load(f).get("second_task")
    if not second:
        return []
    task = second["task"]
    lr, pilot = chosen(runs.get(task, {}).get("mezo", []))
    if not pilot:
        return []
    lines = [f"Second task: **{task}**. " + second["note"], "",
             f"| MeZO on {task} (`scripts/study/{second['pilot']}`, lr {lr:g}) | forward passes | zero-shot dev | best dev | gain | test at best dev |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in sorted(pilot, key=lambda r: r["seed"]):
        s = r["summary"]
        zero, best = dev_score(s["zeroShotDev"]), dev_score(s["bestDev"])
        test = s["zeroShotTest"] if s.get("bestStep") == 0 else s["test"]  # as generation_cell
        lines.append(f"| seed {r['seed']} | {s['forwardPasses']:,} | {zero:.3f} | {best:.3f} | {100 * (best - zero):+.1f} | "
                     f"{dev_score(test):.3f} |")
    return lines + ["", "(F1 for a generation task, accuracy otherwise.)", ""]


# The long-horizon study's target (issue #18) and the papers' speed claims it re-measures:
# (method, claim, fraction of MeZO's forward passes claimed, or None for plain "faster").
LONG_CLAIMS = {
    "fzoo": ("FZOO: 3× fewer forward passes than MeZO on average", 1 / 3),
    "zo-muon": ("ZO-Muon: 24.7 % of MeZO's queries to the same SST-2 accuracy", 0.247),
    "pgap": ("P-GAP: −81 % iterations vs MeZO", 0.19),
    "pgap-cosine": ("P-GAP with alignment strong enough to matter (cosine 0.3): the paper's −81 %", 0.19),
    "pgap-paper": ("P-GAP at the paper's ε 1e-1 / lr 1e-2, unscaled directions: −81 %", 0.19),
    "pgap-activations": ("P-GAP inside the activation span (ours, after AGZO): the paper's −81 %", 0.19),
    "subzero": ("SubZero: faster convergence than MeZO", None),
    "subzero-activations-r1": ("AGZO (activation subspace, r = 1): faster than MeZO", None),
    "dizo": ("DiZO: −48 % GPU hours vs MeZO (forward passes here)", 0.52),
}


def long_verdicts(task, facts, methods):
    """Per method of the long-horizon study: issue #18's target — MeZO's final dev score in ≤ 0.5× its
    forward passes on every seed, test not measurably below MeZO's — and its paper's speed claim."""
    lines = ["", f"Verdicts on {task}. *Target* (issue #18): MeZO's final dev score reached in at most 0.5× MeZO's "
                 "forward passes on every seed, with test not measurably below MeZO's (a difference above minus two "
                 "standard errors); the claim is judged by the rules of the claims table above.", "",
             "| method | target: ≤ 0.5× MeZO's forward passes on 3/3 seeds, test not below | paper's claim | measured |",
             "|---|---|---|---|"]
    for method in methods:
        if method == "mezo" or method not in facts:
            continue
        claim, fraction = LONG_CLAIMS.get(method, (method, None))
        measured = speed_verdict(method, facts, "passes_ratio", fraction, "forward passes")
        if not (facts[method]["settled"] and facts.get("mezo", {}).get("settled")):
            target = "not measured yet (needs the grid and 3 seeds)"
        else:
            reached, runs = facts[method].get("reached", (0, 0))
            a, b = facts[method]["test"], facts["mezo"]["test"]
            diff = statistics.mean(a) - statistics.mean(b)
            error = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
            fast = reached == runs and facts[method].get("passes_ratio", 2) <= 0.5
            met = fast and diff > -2 * error
            target = (f"{'**met**' if met else 'not met'}: {reached}/{runs} seeds reach it"
                      + (f" at {facts[method]['passes_ratio']:.2f}×" if "passes_ratio" in facts[method] else "")
                      + f"; test {diff * 100:+.1f} points (±{2 * error * 100:.1f})")
        lines.append(f"| {method} | {target} | {claim} | {measured} |")
    return lines


def long_horizon(task, groups, plots):
    """The long-horizon study's section for `task` (issue #18), if any of its runs are in."""
    with open(os.path.join(ROOT, "scripts", "study", LONG_STUDY)) as f:
        study = json.load(f)
    suffix = study.get("group_suffix", "")
    mapped = {m: groups[m + suffix] for m in study["methods"] if m + suffix in groups}
    if not mapped:
        return []
    table, picked, facts = main_table(task, mapped, methods=study["methods"], study=LONG_STUDY,
                                      title=f"{task}, {study['forward_budget']:,} forward passes per run")
    table += long_verdicts(task, facts, study["methods"])
    tried = ["", "Grids tried on seed 0 (the chosen rate is bracketed unless it sits at an end the widening "
                 "has not yet passed): " + "; ".join(
                     f"{m} {', '.join(f'{lr:g}' for lr in sorted({r['lr'] for r in runs if r['seed'] == 0}))}"
                     for m, runs in mapped.items())]
    svg_plot(os.path.join(plots, f"{task}-long-dev-accuracy.svg"),
             f"{task}, {study['forward_budget']} forward passes: dev accuracy (mean, min–max over seeds)",
             "dev accuracy", {m: [dev_curve(r) for r in rs] for m, rs in picked.items()})
    return table + tried + ["", f"![{task} long-horizon dev accuracy](study/plots/{task}-long-dev-accuracy.svg)", ""]


ACTIVATIONS_PILOT = "activations-pilot.json"


def activations_pilot(task, groups):
    """The activation-subspace pilot (issue #18) beside the first study's MeZO and SubZero, whose
    protocol it shares: the same table, so forward passes to MeZO's final dev accuracy compare."""
    with open(os.path.join(ROOT, "scripts", "study", ACTIVATIONS_PILOT)) as f:
        study = json.load(f)
    if task not in study["tasks"] or not any(m in groups for m in study["methods"]):
        return []
    methods = ["mezo", "subzero"] + study["methods"]
    mapped = {m: groups[m] for m in methods if m in groups}
    table, _, _ = main_table(task, mapped, methods=methods, study=ACTIVATIONS_PILOT,
                             title=f"{task}: activation subspaces, pilot ({study['forward_budget']} forward passes per run)")
    tried = ["", f"`scripts/study/{ACTIVATIONS_PILOT}`; MeZO and SubZero are the first study's rows. Grids tried on "
                 "seed 0: " + "; ".join(
                     f"{m} {', '.join(f'{lr:g}' for lr in sorted({r['lr'] for r in mapped[m] if r['seed'] == 0}))}"
                     for m in study["methods"] if m in mapped), ""]
    return table + tried


GENERATION_STUDY = "generation.json"


def is_generation(groups):
    return any(r["summary"]["zeroShotDev"].get("f1") is not None for runs in groups.values() for r in runs)


def generation_cell(task, groups):
    """The generation study cell (issue #19): F1 and exact match, zero-shot and at the best dev F1."""
    with open(os.path.join(ROOT, "scripts", "study", GENERATION_STUDY)) as f:
        study = json.load(f)
    if task not in study["tasks"] or not any(m in groups for m in study["methods"]):
        return []
    lines = [f"### {task}: generation (issue #19)", "",
             f"`scripts/study/{GENERATION_STUDY}`: " + study["description"], "",
             "| method | objective | lr (grid on seed 0) | seeds | zero-shot test F1 / EM | test F1 | test EM | best dev F1 | "
             "steps | minutes per run |", "|---|---|---|---|---|---|---|---|---|---|"]
    for method in study["methods"]:
        if method not in groups:
            continue
        lr, runs = chosen(groups[method])
        s = [r["summary"] for r in runs]
        tried = sorted({r["lr"] for r in groups[method] if r["seed"] == 0})
        zero = s[0]["zeroShotTest"]
        tests = [x["zeroShotTest"] if x.get("bestStep") == 0 else x["test"] for x in s]
        objective = runs[0]["config"]["training"]["objective"]
        lines.append(
            f"| {study['variants'][method]['method'] if method in study.get('variants', {}) else method} | {objective} | "
            f"{lr:g} ({', '.join(f'{x:g}' for x in tried)}) | {len(s)} | {zero['f1']:.3f} / {zero['accuracy']:.3f} | "
            f"{mean_std([t['f1'] for t in tests])} | {mean_std([t['accuracy'] for t in tests])} | "
            f"{mean_std([x['bestDev']['f1'] for x in s])} | {s[0]['steps']} | "
            f"{statistics.mean(x['seconds'] for x in s) / 60:.1f} |")
    lines += ["", "*Test F1 / EM*: at the best dev F1 (mean ± standard deviation over seeds); *minutes per run*: training "
              "steps only, one thread, two runs sharing the machine's two cores (evaluations excluded)."]
    missing = [m for m in study["methods"] if len(chosen(groups.get(m, []))[1]) < len(study["seeds"])]
    if missing:
        lines.append(f"Partial while the study runs: {', '.join(missing)} lack some of the {len(study['seeds'])} seeds "
                     "(`scripts/study/run.py --study scripts/study/generation.json` continues it).")
    return lines + [""]


def main():
    runs = load()
    if not runs:
        sys.exit("report.py: no finished runs under docs/study (run scripts/study/run.py first)")
    plots = os.path.join(STUDY, "plots")
    os.makedirs(plots, exist_ok=True)
    lines = ["<!-- study:begin (generated by scripts/study/report.py; edit outside these markers) -->", ""]
    facts_by_task = {}
    for task, groups in runs.items():
        if not any(m in groups for m in METHODS) or is_generation(groups):
            continue  # only another study's runs (the long-horizon pilot, the generation cell): reported below
        table, picked, facts_by_task[task] = main_table(task, groups)
        lines += table + [""]
        adapters = adapter_table(task, groups, picked.get("mezo", []))
        if adapters:
            lines += adapters + [""]
        if "pgap-ablation" in groups:
            lines += ablation_table(task, groups["pgap-ablation"], picked.get("pgap", []),
                                    facts_by_task[task].get("target")) + [""]
            variants = ablation_variants(groups["pgap-ablation"], "default", picked.get("pgap", []))
            svg_plot(os.path.join(plots, f"{task}-pgap-ablations.svg"),
                     f"{task}: P-GAP variants, dev accuracy (mean, min–max over seeds)", "dev accuracy",
                     {name: [dev_curve(r) for r in rs] for name, rs in variants.items() if rs})
            lines += [f"![{task} P-GAP ablations](study/plots/{task}-pgap-ablations.svg)", ""]
        svg_plot(os.path.join(plots, f"{task}-dev-accuracy.svg"), f"{task}: dev accuracy (mean, min–max over seeds)",
                 "dev accuracy", {m: [dev_curve(r) for r in rs] for m, rs in picked.items()})
        svg_plot(os.path.join(plots, f"{task}-training-loss.svg"), f"{task}: training loss (moving average of 25 steps)",
                 "loss", {m: [loss_curve(r) for r in rs] for m, rs in picked.items()})
        lines += [f"![{task} dev accuracy](study/plots/{task}-dev-accuracy.svg)",
                  f"![{task} training loss](study/plots/{task}-training-loss.svg)", ""]
    lines += claims_table(facts_by_task) + [""]
    for task, groups in runs.items():
        lines += activations_pilot(task, groups)
    for task, groups in runs.items():
        lines += generation_cell(task, groups)
    long_lines = []
    for task, groups in runs.items():
        long_lines += long_horizon(task, groups, plots)
    pilot = second_task_pilot(runs)
    if long_lines or pilot:
        lines += ["## Long horizon (issue #18)", "",
                  f"`scripts/study/{LONG_STUDY}`: the same protocol at 4,000 forward passes per run, learning rates "
                  "chosen on dev from grids on each method's own step scale. Partial while the study runs: the *seeds* "
                  "column says how many are in.", ""] + pilot + long_lines
    lines.append("<!-- study:end -->")
    text = open(RESULTS).read() if os.path.exists(RESULTS) else "# Results\n\n<!-- study:begin -->\n<!-- study:end -->\n"
    begin, end = text.find("<!-- study:begin"), text.find("<!-- study:end -->")
    if begin < 0 or end < 0:
        sys.exit(f"report.py: {RESULTS} lacks the <!-- study:begin --> / <!-- study:end --> markers")
    text = text[:begin] + "\n".join(lines) + text[end + len("<!-- study:end -->"):]
    with open(RESULTS, "w") as f:
        f.write(text)
    print(f"wrote {RESULTS} and {plots}/")


if __name__ == "__main__":
    main()
