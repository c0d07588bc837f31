#!/usr/bin/env python3
"""Rescores a generation run's test answers with the SQuAD scoring functions and compares them with
what the run reported (issue #19's acceptance: EM/F1 recomputed by an outside script).

    pip download --no-deps transformers==4.46.3 -d /tmp/tf
    python3 scripts/reference/check_test_answers.py /tmp/tf/transformers-4.46.3-py3-none-any.whl RUN [RUN ...]

For each run folder: reads test-answers.jsonl (answer and references per test example), scores every
answer with transformers' squad_metrics.py (normalize_answer, compute_exact, compute_f1 — the official
SQuAD normalisation, taken from the wheel's source, not reimplemented; see make_answer_metric_golden.py),
takes the max over the references and the mean over the examples, and compares with summary.json's
test evaluation (the zero-shot one when the pretrained model was the best dev point). Exits 1 on any
difference above 1e-9.
"""
import importlib.util
import json
import os
import sys


def squad_functions(wheel):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_answer_metric_golden.py")
    spec = importlib.util.spec_from_file_location("golden", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.squad_functions(wheel)


def check(functions, run):
    with open(os.path.join(run, "summary.json")) as f:
        summary = json.load(f)
    reported = summary["zeroShotTest"] if summary.get("bestStep") == 0 else summary["test"]
    exact = f1 = 0.0
    count = 0
    with open(os.path.join(run, "test-answers.jsonl")) as f:
        for line in f:
            item = json.loads(line)
            exact += max(functions["compute_exact"](r, item["answer"]) for r in item["references"])
            f1 += max(functions["compute_f1"](r, item["answer"]) for r in item["references"])
            count += 1
    exact, f1 = exact / count, f1 / count
    ok = count == reported["examples"] and abs(exact - reported["accuracy"]) <= 1e-9 and abs(f1 - reported["f1"]) <= 1e-9
    print(f"{'ok  ' if ok else 'DIFF'} {run}: {count} answers, EM {exact:.6f} (reported {reported['accuracy']:.6f}), "
          f"F1 {f1:.6f} (reported {reported['f1']:.6f})")
    return ok


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    functions = squad_functions(sys.argv[1])
    results = [check(functions, run) for run in sys.argv[2:]]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
