#!/usr/bin/env bash
# On a fresh machine: install prerequisites, fetch the data, build, and train the main job
# (jobs/mnist-mlp.yaml) on Spark's local mode. Extra arguments go to `train`.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-prereqs.sh
deploy/fetch-data.sh
mvn -B -q -DskipTests package
out="runs/mnist-mlp-$(date +%Y%m%d-%H%M%S)"
java -jar trainer/target/trainer.jar train jobs/mnist-mlp.yaml --output "$out" "$@"
echo "outputs: $out (metrics.jsonl, summary.json, model.zip)"
