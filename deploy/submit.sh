#!/usr/bin/env bash
# Submits a training job to a Spark cluster with spark-submit and the application jar.
#
#   deploy/submit.sh --cluster CONF JOB --output DIR [--set path=value]... [--resume]
#                    [--master URL] [--conf key=value]... [--jar JAR] [--secret-file FILE]
#                    [-- TRAIN_OPTION...]
#   deploy/submit.sh --cluster CONF --class MAIN [--master URL] [--conf key=value]... [--jar JAR]
#                    [--secret-file FILE] [-- APP_ARGUMENT...]
#
# CONF is a spark-defaults file (cluster-configs/*.conf) given to spark-submit as --properties-file;
# --master and --conf override it. The trainer's `train` command gets JOB, --output, --set and
# --resume (and anything after --). JOB is read by the driver, which runs here (client mode).
# With --class, the jar's class MAIN (your own Spark application, e.g.
# org.sparktrain.examples.ChurnPipelineApp) runs instead of the trainer, with the arguments after --.
# spark-submit is $SPARK_HOME/bin/spark-submit, else the one on PATH, else Spark's launcher run
# from the Maven-built spark-dist/target/spark-home. Exit code: the trainer's (0, 1, 2), or 2
# for bad usage of this script.
#
# A standalone master (spark://) with spark.authenticate (the default of cluster-configs/) needs the
# cluster's secret: from --secret-file FILE, else $SPARKTRAIN_SECRET_FILE, else $SPARKTRAIN_SECRET,
# else runs/local-cluster/secret (deploy/local-cluster.sh's). It reaches spark-submit in a
# properties file readable only by you, deleted afterwards, never on a command line. YARN and
# Kubernetes make a secret per application themselves.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
usage() {
  sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "e.g.: deploy/submit.sh --cluster cluster-configs/standalone.conf jobs/churn.yaml --output runs/churn-c1" >&2
  exit 2
}
fail() { echo "submit.sh: $*" >&2; echo "usage:" >&2; usage; }

conf="" job="" output="" master="" main="" trainer_opts=0 jar="$root/app/target/sparktrain-app.jar" secret_file="${SPARKTRAIN_SECRET_FILE:-}"
train_args=() submit_confs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cluster) [[ $# -ge 2 ]] || fail "--cluster needs a spark-defaults file"; conf="$2"; shift 2 ;;
    --output) [[ $# -ge 2 ]] || fail "--output needs a directory"; output="$2"; shift 2 ;;
    --set)
      [[ $# -ge 2 && "$2" == *=* ]] || fail "--set needs path=value, got '${2:-}'"
      train_args+=(--set "$2"); trainer_opts=1; shift 2 ;;
    --resume) train_args+=(--resume); trainer_opts=1; shift ;;
    --master) [[ $# -ge 2 ]] || fail "--master needs a URL"; master="$2"; shift 2 ;;
    --conf)
      [[ $# -ge 2 && "$2" == *=* ]] || fail "--conf needs key=value, got '${2:-}'"
      [[ "$2" != spark.authenticate.secret=* ]] \
        || { echo "submit.sh: --conf spark.authenticate.secret=... puts the secret on the command line, where every user of this machine sees it (ps); put it in a file readable only by you and pass --secret-file FILE, or set SPARKTRAIN_SECRET_FILE or SPARKTRAIN_SECRET" >&2; exit 2; }
      submit_confs+=(--conf "$2"); shift 2 ;;
    --secret-file) [[ $# -ge 2 ]] || fail "--secret-file needs a file"; secret_file="$2"; shift 2 ;;
    --jar) [[ $# -ge 2 ]] || fail "--jar needs a file"; jar="$2"; shift 2 ;;
    --class) [[ $# -ge 2 ]] || fail "--class needs a main class"; main="$2"; shift 2 ;;
    -h|--help) usage ;;
    --) shift; train_args+=("$@"); break ;;
    -*) fail "unknown option '$1'" ;;
    *) [[ -z "$job" ]] || fail "one job file expected, got '$job' and '$1'"; job="$1"; shift ;;
  esac
done
[[ -n "$conf" ]] || fail "missing --cluster CONF (one of: $(ls "$root"/cluster-configs/*.conf 2>/dev/null | xargs -n1 basename | tr '\n' ' '))"
[[ -f "$conf" ]] || fail "cluster config '$conf' not found"
if [[ -n "$main" ]]; then
  [[ -z "$job" && -z "$output" && $trainer_opts == 0 ]] \
    || fail "--class runs your own application: give its arguments after --, not a job file, --output, --set or --resume"
else
  [[ -n "$job" ]] || fail "missing the job file"
  [[ -f "$job" ]] || fail "job file '$job' not found"
  [[ -n "$output" ]] || fail "missing --output DIR"
fi
[[ -f "$jar" ]] || { echo "submit.sh: no application jar at $jar; build it with: mvn -B -DskipTests package" >&2; exit 2; }

# The value of KEY in CONF, overridden by a --conf KEY=...; empty when neither sets it.
setting() {
  local key="$1" value="" c
  value="$(sed -n "s/^[[:space:]]*$key[[:space:]=]\{1,\}\([^[:space:]]*\).*/\1/p" "$conf" | tail -n 1)"
  for c in "${submit_confs[@]+"${submit_confs[@]}"}"; do
    [[ "$c" == "$key="* ]] && value="${c#*=}"
  done
  printf '%s' "$value"
}
props="$conf"
effective_master="${master:-$(setting spark.master)}"
if [[ "$(setting spark.authenticate)" == true && "$effective_master" == spark://* ]]; then
  secret=""
  if [[ -n "$secret_file" ]]; then
    [[ -r "$secret_file" ]] || { echo "submit.sh: cannot read the secret file '$secret_file'" >&2; exit 2; }
    secret="$(head -n 1 "$secret_file")"
  elif [[ -n "${SPARKTRAIN_SECRET:-}" ]]; then
    secret="$SPARKTRAIN_SECRET"
  elif [[ -r "$root/runs/local-cluster/secret" ]]; then
    echo "submit.sh: using the secret of deploy/local-cluster.sh in runs/local-cluster/secret" >&2
    secret="$(head -n 1 "$root/runs/local-cluster/secret")"
  else
    echo "submit.sh: $conf turns on spark.authenticate for the standalone master $effective_master, and no secret was given; expected the cluster's secret in --secret-file FILE, SPARKTRAIN_SECRET_FILE or SPARKTRAIN_SECRET (deploy/local-cluster.sh keeps its own in STATE/secret), or --conf spark.authenticate=false --conf spark.network.crypto.enabled=false for a cluster without authentication" >&2
    exit 2
  fi
  [[ -n "$secret" ]] || { echo "submit.sh: the secret is empty; expected one word in the secret file or SPARKTRAIN_SECRET" >&2; exit 2; }
  private="$(umask 077; mktemp -d)"
  trap 'rm -rf "$private"' EXIT
  props="$private/spark.conf"
  (umask 077; { cat "$conf"; printf '\nspark.authenticate.secret %s\n' "$secret"; } >"$props")
fi

args=(--properties-file "$props" --class "${main:-org.sparktrain.cli.Main}")
[[ -n "$master" ]] && args+=(--master "$master")
if [[ -n "$main" ]]; then
  args+=("${submit_confs[@]+"${submit_confs[@]}"}" "$jar" "${train_args[@]+"${train_args[@]}"}")
else
  args+=("${submit_confs[@]+"${submit_confs[@]}"}" "$jar" train "$job" --output "$output" "${train_args[@]+"${train_args[@]}"}")
fi

# Not exec: the private properties file is removed when spark-submit ends.
if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
  rc=0; "$SPARK_HOME/bin/spark-submit" "${args[@]}" || rc=$?; exit "$rc"
elif command -v spark-submit >/dev/null 2>&1; then
  rc=0; spark-submit "${args[@]}" || rc=$?; exit "$rc"
fi

# No Spark installed: do what bin/spark-class does, with the Maven-built Spark. Spark's launcher
# prints its messages, a NUL and a newline, then the driver's command (class path from
# SPARK_HOME/jars, driver memory and Java options from CONF, Java 17 opens) NUL-separated;
# its own exit code follows, as in bin/spark-class.
export SPARK_HOME="${SPARKTRAIN_SPARK_HOME:-$root/spark-dist/target/spark-home}"
export SPARK_SCALA_VERSION=2.12
[[ -d "$SPARK_HOME/jars" ]] || { echo "submit.sh: no spark-submit on PATH and no Spark jars at $SPARK_HOME/jars; build them with: mvn -B -DskipTests package, or set SPARK_HOME" >&2; exit 2; }
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cmd=()
first=1
while IFS= read -r -d '' part; do
  if [[ $first == 1 ]]; then  # the launcher's messages, ended by a NUL and a newline
    first=0; [[ -n "$part" ]] && printf '%s\n' "$part" >&2
  else
    cmd+=("${part#$'\n'}")
  fi
done < <(
  "$java_bin" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
    org.apache.spark.deploy.SparkSubmit "${args[@]}"
  printf '%d\0' $?)
launcher_rc="${cmd[${#cmd[@]}-1]}"
unset 'cmd[${#cmd[@]}-1]'
if [[ "$launcher_rc" != 0 ]]; then
  echo "submit.sh: Spark's launcher failed (exit $launcher_rc)" >&2
  exit 2
fi
rc=0; "${cmd[@]}" || rc=$?
exit "$rc"
