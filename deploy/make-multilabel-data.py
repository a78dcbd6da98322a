#!/usr/bin/python3
"""Writes data/multilabel/concrete-strength-classes.csv for jobs/multilabel.yaml: the concrete
mixtures of ../shared/datasets/concrete.csv (linked to data/concrete by deploy/fetch-data.sh) with
three 0/1 labels in place of the measured strength: reaches 25, 40 and 55 MPa (the strength classes
C25, C40 and C55). The labels are not functions of the inputs but of a measured outcome that the
mixture and age predict only in part (jobs/concrete.yaml's regression), their positive rates differ
(about 71%, 37% and 14%), and they overlap (a C55 mixture is also C40 and C25): a multi-label
network has to learn each from the mixture to beat the majority rate of each.

Usage: deploy/make-multilabel-data.py [concrete.csv] [output.csv]
"""
import csv
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
THRESHOLDS = (25, 40, 55)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data", "concrete", "concrete.csv")
    target = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "data", "multilabel", "concrete-strength-classes.csv")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    features = [c for c in rows[0].keys() if c != "compressive_strength"]
    with open(target, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(features + [f"over_{t}" for t in THRESHOLDS])
        for r in rows:
            strength = float(r["compressive_strength"])
            w.writerow([r[c] for c in features] + [1 if strength >= t else 0 for t in THRESHOLDS])
    print(f"wrote {len(rows)} rows to {target}")


if __name__ == "__main__":
    main()
