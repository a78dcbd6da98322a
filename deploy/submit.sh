#!/usr/bin/env bash
# Submits a training job to a Spark cluster with spark-submit and the application jar.
#
#   deploy/submit.sh --cluster CONF JOB --output DIR [--set path=value]... [--resume]
#                    [--master URL] [--conf key=value]... [--jar JAR] [-- TRAIN_OPTION...]
#   deploy/submit.sh --cluster CONF --class MAIN [--master URL] [--conf key=value]... [--jar JAR]
#                    [-- APP_ARGUMENT...]
#
# CONF is a spark-defaults file (cluster-configs/*.conf) given to spark-submit as --properties-file;
# --master and --conf override it. The trainer's `train` command gets JOB, --output, --set and
# --resume (and anything after --). JOB is read by the driver, which runs here (client mode).
# With --class, the jar's class MAIN (your own Spark application, e.g.
# org.sparktrain.examples.ChurnPipelineApp) runs instead of the trainer, with the arguments after --.
# spark-submit is $SPARK_HOME/bin/spark-submit, else the one on PATH, else Spark's launcher run
# from the Maven-built spark-dist/target/spark-home. Exit code: the trainer's (0, 1, 2), or 2
# for bad usage of this script.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
usage() {
  sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "e.g.: deploy/submit.sh --cluster cluster-configs/standalone.conf jobs/churn.yaml --output runs/churn-c1" >&2
  exit 2
}
fail() { echo "submit.sh: $*" >&2; echo "usage:" >&2; usage; }

conf="" job="" output="" master="" main="" trainer_opts=0 jar="$root/app/target/sparktrain-app.jar"
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
      submit_confs+=(--conf "$2"); shift 2 ;;
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

args=(--properties-file "$conf" --class "${main:-org.sparktrain.cli.Main}")
[[ -n "$master" ]] && args+=(--master "$master")
if [[ -n "$main" ]]; then
  args+=("${submit_confs[@]+"${submit_confs[@]}"}" "$jar" "${train_args[@]+"${train_args[@]}"}")
else
  args+=("${submit_confs[@]+"${submit_confs[@]}"}" "$jar" train "$job" --output "$output" "${train_args[@]+"${train_args[@]}"}")
fi

if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" "${args[@]}"
elif command -v spark-submit >/dev/null 2>&1; then
  exec spark-submit "${args[@]}"
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
exec "${cmd[@]}"
