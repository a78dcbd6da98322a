#!/usr/bin/env bash
# A real Spark standalone cluster on this machine: one master and N workers, each its own JVM on
# 127.0.0.1, run from Spark's jars on Maven Central (spark-dist/target/spark-home, built by
# `mvn -B -DskipTests package`). Workers start executors from that SPARK_HOME's jars/.
#
#   deploy/local-cluster.sh start  [--workers N] [--cores C] [--memory M] [--port P] [--webui-port W]
#                                  [--secret-file FILE | --no-auth] [--state DIR]
#   deploy/local-cluster.sh status [--state DIR]
#   deploy/local-cluster.sh stop   [--state DIR]
#
# Defaults: 2 workers of 1 core and 2g each, master spark://127.0.0.1:7077, UI on 8080, state in
# runs/local-cluster (PID files, logs, work directories). The master and workers require
# spark.authenticate with a secret from --secret-file FILE, else $SPARKTRAIN_SECRET, else a new
# random one; it is kept in STATE/secret (mode 600), where deploy/submit.sh finds it. A secret is
# never taken on the command line (every user sees it in ps). --no-auth starts an open cluster.
# Processes are stopped by their recorded PIDs only.
set -euo pipefail

usage() {
  sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() { echo "local-cluster.sh: $*" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
[[ $# -ge 1 ]] || usage
cmd="$1"; shift
workers=2 cores=1 memory=2g port=7077 webui=8080 secret_file="" auth=1 state="$root/runs/local-cluster"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers="${2:?--workers needs a number}"; shift 2 ;;
    --cores) cores="${2:?--cores needs a number}"; shift 2 ;;
    --memory) memory="${2:?--memory needs a size such as 2g}"; shift 2 ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --webui-port) webui="${2:?--webui-port needs a number}"; shift 2 ;;
    --secret) fail "--secret puts the secret on the command line, where every user of this machine sees it (ps); put it in a file readable only by you and pass --secret-file FILE, or set SPARKTRAIN_SECRET" ;;
    --secret-file) secret_file="${2:?--secret-file needs a file}"; shift 2 ;;
    --no-auth) auth=0; shift ;;
    --state) state="${2:?--state needs a directory}"; shift 2 ;;
    -h|--help) usage ;;
    *) fail "unknown option '$1'; see --help" ;;
  esac
done
for n in "$workers" "$cores" "$port" "$webui"; do
  [[ "$n" =~ ^[0-9]+$ ]] || fail "expected a whole number, got '$n'"
done
[[ "$workers" -ge 1 ]] || fail "--workers must be >= 1, got $workers"

spark_home="${SPARKTRAIN_SPARK_HOME:-$root/spark-dist/target/spark-home}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Spark's Java 17 module opens, for the master and workers: one per line in the file the trainer
# itself reads (runtime/JavaOptions.java), # lines are comments.
options_file="$root/trainer/src/main/resources/sparktrain/java-options.txt"
[[ -f "$options_file" ]] || fail "no JVM options file at $options_file; run this script from a checkout of the project"
opens="$(grep -v '^[[:space:]]*#' "$options_file" | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')"

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

status() {
  [[ -f "$state/cluster.env" ]] || { echo "no cluster in $state"; return 3; }
  # shellcheck disable=SC1091
  source "$state/cluster.env"
  local down=0
  for f in "$state"/master.pid "$state"/worker-*.pid; do
    [[ -f "$f" ]] || continue
    if alive "$f"; then echo "$(basename "$f" .pid): running, pid $(cat "$f")"
    else echo "$(basename "$f" .pid): not running (pid $(cat "$f"))"; down=1; fi
  done
  echo "master: $MASTER_URL  ui: $MASTER_UI  logs: $state/logs"
  return $down
}

stop() {
  local f pid
  for f in "$state"/worker-*.pid "$state"/master.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "$(basename "$f" .pid) (pid $pid) did not stop in 10 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$f"
  done
  echo "stopped the cluster in $state"
}

launch() { # name, then the java arguments
  local name="$1"; shift
  # setsid: the daemons leave this shell's process group and outlive it.
  SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 \
    setsid "$java_bin" $opens -Xmx256m -cp "$spark_home/jars/*" "$@" \
    >"$state/logs/$name.out" 2>&1 </dev/null &
  echo $! >"$state/$name.pid"
}

start() {
  [[ -d "$spark_home/jars" ]] \
    || fail "no Spark jars at $spark_home/jars; build them with: mvn -B -DskipTests package"
  if [[ -f "$state/master.pid" ]] && alive "$state/master.pid"; then
    fail "a cluster is already running from $state (master pid $(cat "$state/master.pid")); stop it first"
  fi
  mkdir -p "$state/logs"
  rm -f "$state"/*.pid
  local props="$state/daemon.conf" secret=""
  (umask 077; : >"$props")
  rm -f "$state/secret"
  if [[ "$auth" == 1 ]]; then
    if [[ -n "$secret_file" ]]; then
      [[ -r "$secret_file" ]] || fail "cannot read the secret file '$secret_file'"
      secret="$(head -n 1 "$secret_file")"
    elif [[ -n "${SPARKTRAIN_SECRET:-}" ]]; then
      secret="$SPARKTRAIN_SECRET"
    else
      secret="$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
    fi
    [[ -n "$secret" && "$secret" != *[[:space:]]* ]] || fail "the secret is empty or holds white space; expected one word"
    (umask 077
     printf 'spark.authenticate true\nspark.authenticate.secret %s\nspark.network.crypto.enabled true\n' "$secret" >"$props"
     printf '%s\n' "$secret" >"$state/secret")
  fi
  launch master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$webui" --properties-file "$props"
  local url="spark://127.0.0.1:$port" ui="http://127.0.0.1:$webui"
  printf 'MASTER_URL=%s\nMASTER_UI=%s\nWORKERS=%s\n' "$url" "$ui" "$workers" >"$state/cluster.env"
  for _ in $(seq 1 150); do
    curl -fs "$ui/json/" >/dev/null 2>&1 && break
    alive "$state/master.pid" || { tail -20 "$state/logs/master.out" >&2; fail "the master exited; log: $state/logs/master.out"; }
    sleep 0.2
  done
  for i in $(seq 1 "$workers"); do
    mkdir -p "$state/work-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port 0 \
      --work-dir "$state/work-$i" --properties-file "$props" "$url"
  done
  local n=0
  for _ in $(seq 1 300); do
    n="$(curl -fs "$ui/json/" 2>/dev/null | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0)"
    [[ "$n" -ge "$workers" ]] && break
    sleep 0.2
  done
  if [[ "$n" -lt "$workers" ]]; then
    status >&2 || true
    fail "only $n of $workers workers registered within 60 s; logs: $state/logs"
  fi
  echo "master $url with $workers workers ($cores cores, $memory each); ui $ui; state $state"
  if [[ "$auth" == 1 ]]; then
    echo "applications must present the secret in $state/secret (deploy/submit.sh reads it from there)"
  else
    echo "warning: no authentication: anyone who reaches $url can run code on this machine" >&2
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) fail "unknown command '$cmd'; expected start, stop or status" ;;
esac
