#!/usr/bin/env bash
# Spark GPU discovery script: prints the node's NVIDIA GPUs as Spark's resource JSON,
# {"name": "gpu", "addresses": ["0", "1", ...]}. Needs nvidia-smi on the executor's node.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found; install the NVIDIA driver on this node" >&2
  exit 1
fi
ids="$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g' | sed 's/.*/"&"/' | paste -sd, -)"
echo "{\"name\": \"gpu\", \"addresses\": [${ids}]}"
