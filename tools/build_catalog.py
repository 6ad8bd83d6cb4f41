#!/usr/bin/env python3
"""Regenerate src/sanctuary/offenses/data/catalog.json.gz from the DOJ tables (see `make catalog`)."""

import argparse
from pathlib import Path

from sanctuary.offenses.generate import write

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--source", type=Path, default=Path("../shared/data/ca_doj_offense_codes"))
args = p.parse_args()
for name, digest in write(args.source).items():
    print(f"{digest}  {name}")
