#!/usr/bin/env python3
"""Golden exact-match and token-F1 scores for ZOTune's answer metrics (issue #19), computed by the
SQuAD scoring functions as transformers 4.46.3 ships them (transformers/data/metrics/squad_metrics.py:
normalize_answer, get_tokens, compute_exact, compute_f1 — the official SQuAD evaluation's
normalisation, with SQuAD 2.0's rule that an empty answer scores 1 only against an empty one).

The functions are taken from the wheel's source (not reimplemented) without importing transformers:
    pip download --no-deps transformers==4.46.3 -d /tmp/tf
    python3 scripts/reference/make_answer_metric_golden.py /tmp/tf/transformers-4.46.3-py3-none-any.whl
writes Tests/Fixtures/tasks/answers/squad-metric-golden.json: for each case the prediction, the reference
answers, and EM and F1 as the max over the references (MeZO's and SQuAD's protocol).
"""
import ast
import collections
import json
import os
import re
import string
import sys
import zipfile

CASES = [
    ("Paris", ["Paris"]),
    ("paris.", ["Paris"]),
    ("The Eiffel Tower", ["Eiffel Tower"]),
    ("the eiffel tower in Paris", ["Eiffel Tower", "the tower"]),
    ("an apple a day", ["apple day"]),
    ("Theatre", ["the atre"]),
    ("  New   York\tCity ", ["new york city"]),
    ("1,000", ["1000"]),
    ("U.S.A.", ["USA", "United States"]),
    ("no overlap", ["something else"]),
    ("the", ["a"]),
    ("", ["Paris"]),
    ("Paris Paris", ["Paris"]),
    ("Paris", ["Paris Paris"]),
    ("cat cat dog", ["cat dog dog"]),
    ("Ünïcode Straße", ["ünïcode straße"]),
    ("«the» answer", ["answer"]),
    ("don't stop", ["dont stop"]),
    ("e-mail", ["email", "e mail"]),
    ("A", ["an"]),
    ("1984 by George Orwell", ["George Orwell", "Orwell", "Eric Blair"]),
    ("it was the best of times", ["best of times"]),
    ("x_y z", ["x y z"]),
    ("Ωmega—point", ["ωmega point"]),
    ("An An an", ["an"]),
]


def squad_functions(wheel):
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("transformers/data/metrics/squad_metrics.py").decode()
    tree = ast.parse(source)
    wanted = {"normalize_answer", "get_tokens", "compute_exact", "compute_f1"}
    module = ast.Module(body=[node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in wanted],
                        type_ignores=[])
    namespace = {"re": re, "string": string, "collections": collections}
    exec(compile(module, "squad_metrics.py", "exec"), namespace)
    return namespace


def main():
    functions = squad_functions(sys.argv[1])
    cases = []
    for prediction, references in CASES:
        cases.append({
            "prediction": prediction, "references": references,
            "normalized": functions["normalize_answer"](prediction),
            "exact_match": max(functions["compute_exact"](r, prediction) for r in references),
            "f1": max(functions["compute_f1"](r, prediction) for r in references),
        })
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "Tests", "Fixtures", "tasks", "answers", "squad-metric-golden.json")
    with open(path, "w") as f:
        json.dump({"source": "transformers 4.46.3 squad_metrics.py", "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
