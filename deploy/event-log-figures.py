#!/usr/bin/env python3
"""Figures of one Spark application from its event log (spark.eventLog.enabled=true, with
spark.eventLog.logStageExecutorMetrics=true for the memory peaks):

    deploy/event-log-figures.py EVENT_LOG

Prints, per job, its description, seconds, the records its stages read (input and shuffle) and
records per second; then, per executor, the peak JVM heap, the peak of the JVM's own off-heap,
the peak on-heap storage memory and the peak process RSS when Spark measured it
(spark.executor.processTreeMetrics.enabled=true). ND4J's arrays are off-heap memory that only the
RSS shows.
"""
import json
import sys
from collections import defaultdict


def main(path):
    jobs = {}
    stage_job = {}
    stage_records = defaultdict(int)
    peaks = defaultdict(lambda: defaultdict(int))
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                if path.endswith(".inprogress"):
                    break  # the application is still writing its last line
                raise SystemExit(f"{path}:{number}: not a JSON event line (expected a Spark event log)")
            kind = e["Event"]
            if kind == "SparkListenerJobStart":
                props = e.get("Properties") or {}
                name = props.get("spark.job.description") or props.get("callSite.short") or ""
                jobs[e["Job ID"]] = {"name": name, "start": e["Submission Time"], "end": None}
                for s in e["Stage IDs"]:
                    stage_job[s] = e["Job ID"]
            elif kind == "SparkListenerJobEnd":
                jobs[e["Job ID"]]["end"] = e["Completion Time"]
            elif kind == "SparkListenerTaskEnd":
                m = e.get("Task Metrics") or {}
                n = (m.get("Input Metrics") or {}).get("Records Read", 0)
                n += (m.get("Shuffle Read Metrics") or {}).get("Total Records Read", 0)
                stage_records[e["Stage ID"]] += n
            elif kind == "SparkListenerStageExecutorMetrics":
                for k, v in e["Executor Metrics"].items():
                    peaks[e["Executor ID"]][k] = max(peaks[e["Executor ID"]][k], v)
    records = defaultdict(int)
    for s, n in stage_records.items():
        if s in stage_job:
            records[stage_job[s]] += n
    print("job  seconds  records read  records/s  description")
    for j in sorted(jobs):
        d = jobs[j]
        secs = ((d["end"] or d["start"]) - d["start"]) / 1000
        rate = records[j] / secs if secs > 0 else 0
        print(f"{j:3d}  {secs:7.1f}  {records[j]:12,d}  {rate:9,.0f}  {d['name']}")
    mib = 1024 * 1024
    print("executor  peak heap MiB  peak JVM off-heap MiB  peak storage MiB  peak RSS MiB")
    for x in sorted(peaks):
        if x == "driver":
            continue
        p = peaks[x]
        rss = p.get("ProcessTreeJVMRSSMemory", 0)
        print(f"{x:>8}  {p['JVMHeapMemory'] / mib:13.0f}  {p['JVMOffHeapMemory'] / mib:21.0f}  "
              f"{p['OnHeapStorageMemory'] / mib:16.0f}  {rss / mib if rss else float('nan'):12.0f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: deploy/event-log-figures.py EVENT_LOG (a file under spark.eventLog.dir)", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
