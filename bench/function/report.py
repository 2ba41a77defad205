#!/usr/bin/env python3
"""Prints the function benchmark's before/after table and the target verdicts (called by bench/function.sh)."""
import glob
import json
import os
import statistics
import sys

out, baseline_path = sys.argv[1], sys.argv[2]

# baseline.tsv: the figures recorded at the start of issue 10, before any change (reference only: the table's
# "before" columns are measured in the same run as "after").
recorded_handler, recorded_cold = {}, {}
with open(baseline_path, encoding="utf-8") as f:
    for line in f:
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "handler":
            recorded_handler[int(parts[1])] = (float(parts[2]), int(parts[3]))
        elif parts[0] == "cold":
            recorded_cold[parts[1]] = float(parts[2])


def handler(side):
    results = {}
    for path in glob.glob(os.path.join(out, f"handler-{side}", "results", "*-report-brief.json")):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for b in report["Benchmarks"]:
            trades = int(b["Parameters"].split("=")[1])
            results[trades] = (b["Statistics"]["Median"], int(b["Memory"]["BytesAllocatedPerOperation"]))
    return results


def bodies():
    sizes = {}
    for path in glob.glob(os.path.join(out, "handler-*", "bodies.tsv")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                trades, size = line.split()
                sizes[int(trades)] = int(size)
    return sizes


def cold(variant):
    path = os.path.join(out, f"cold-{variant}.txt")
    if not os.path.exists(path):
        return None
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = dict(kv.split("=") for kv in line.split())
            runs.append(float(fields["total_ms"]))
    return (statistics.median(runs), min(runs), max(runs), len(runs)) if runs else None


def ms(ns):
    return f"{ns / 1e6:.3f} ms"


def size(b):
    return f"{b / 1024:,.0f} KiB" if b >= 10240 else f"{b:,} B"


before, after, body = handler("before"), handler("after"), bodies()
lines = []
if before or after:
    lines += ["## DataProcessor handler: one POST /data, S3 stubbed (BenchmarkDotNet medians, same run)", "",
              "| trades | body | before: median | after: median | speed-up | before: allocated | after: allocated | after: allocated / body |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for trades in sorted(set(before) | set(after)):
        b, a, s = before.get(trades), after.get(trades), body.get(trades)
        lines.append(
            f"| {trades} | {size(s) if s else '-'} | {ms(b[0]) if b else '-'} | {ms(a[0]) if a else '-'} | "
            f"{f'{b[0] / a[0]:.1f}x' if a and b else '-'} | {size(b[1]) if b else '-'} | {size(a[1]) if a else '-'} | "
            f"{f'{a[1] / s:.2f}x' if a and s else '-'} |")
    lines += ["", "Recorded at the start of issue 10 (quieter machine): " + ", ".join(
        f"{t} trades {ms(v[0])} / {size(v[1])}" for t, v in sorted(recorded_handler.items())) + "."]

cold_rows = [("before-jit", "before: JIT (the asset as it was)"), ("after-jit", "after: JIT"), ("after-r2r", "after: ReadyToRun (the asset now)")]
measured_cold = {k: cold(k) for k, _ in cold_rows}
if any(measured_cold.values()):
    lines += ["", "## Cold start: first request of a fresh process (linux-x64 stand-in; constructor + first request of 100 trades, S3 stubbed at HTTP)", "",
              "| variant | median | min | max | runs |", "|---|---:|---:|---:|---:|"]
    for key, label in cold_rows:
        c = measured_cold[key]
        if c:
            lines.append(f"| {label} | {c[0]:.1f} ms | {c[1]:.1f} ms | {c[2]:.1f} ms | {c[3]} |")
    if "jit" in recorded_cold:
        lines += ["", f"Recorded at the start of issue 10: {recorded_cold['jit']:.1f} ms (JIT)."]

verdicts = []
a, s = after.get(5000), body.get(5000)
if a:
    verdicts.append(f"- 5000 trades in <= 15 ms: {'PASS' if a[0] <= 15e6 else 'FAIL'} ({ms(a[0])})")
    if s:
        verdicts.append(f"- 5000 trades allocate <= 3x the body: {'PASS' if a[1] <= 3 * s else 'FAIL'} ({a[1] / s:.2f}x of {size(s)})")
r2r, base = measured_cold["after-r2r"], measured_cold["before-jit"]
if r2r and base:
    verdicts.append(f"- cold start at most half of before ({base[0] / 2:.1f} ms): {'PASS' if r2r[0] <= base[0] / 2 else 'FAIL'} ({r2r[0]:.1f} ms, {base[0] / r2r[0]:.2f}x faster)")

lines += ["", "## Targets", ""] + (verdicts or ["- nothing measured in this run"])
with open("/proc/loadavg", encoding="utf-8") as f:
    lines += ["", f"Load average at the end: {' '.join(f.read().split()[:3])} (other work on the machine makes every figure noisier; compare columns of the same run)."]
print("\n".join(lines))
