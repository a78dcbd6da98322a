#!/usr/bin/env bash
# Samples the resident set of every Spark executor JVM on this machine once a second and, when
# stopped (Ctrl-C, kill) or when COMMAND ends, prints each executor's peak in MiB. For measuring
# a run on the local standalone cluster of deploy/local-cluster.sh:
#
#   deploy/executor-rss.sh [--every SECONDS] [-- COMMAND...]
#
# With COMMAND it runs it, samples while it runs and exits with its exit code; without, it samples
# until stopped. RSS covers the heap, ND4J's off-heap arrays and the JVM's own memory.
set -uo pipefail
every=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --every) every="${2:?--every needs seconds}"; shift 2 ;;
    --) shift; break ;;
    *) echo "executor-rss.sh: unknown argument '$1' (expected --every SECONDS or -- COMMAND...)" >&2; exit 2 ;;
  esac
done
declare -A peak
report() {
  for pid in "${!peak[@]}"; do
    printf 'executor pid %s peak RSS %d MiB\n' "$pid" $((peak[$pid] / 1024))
  done | sort
}
sample() {
  local pid rss
  while read -r pid rss; do
    [[ -n "$pid" ]] || continue
    if [[ -z "${peak[$pid]:-}" || "$rss" -gt "${peak[$pid]}" ]]; then peak[$pid]=$rss; fi
  done < <(ps -eo pid=,rss=,args= | awk '/org.apache.spark.executor.CoarseGrainedExecutorBackend/ && !/awk/ {print $1, $2}')
}
if [[ $# -gt 0 ]]; then
  "$@" &
  child=$!
  while kill -0 "$child" 2>/dev/null; do sample; sleep "$every"; done
  wait "$child"; code=$?
  report
  exit "$code"
fi
trap 'report; exit 0' INT TERM
while true; do sample; sleep "$every"; done
