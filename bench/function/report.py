#!/usr/bin/env python3
"""Prints the function benchmark's before/after table and the target verdicts (called by bench/function.sh)."""
import glob
import json
import os
import statistics
import sys

out, baseline_path = sys.argv[1], sys.argv[2]

# baseline.tsv: "handler <trades> <median_ns> <allocated_bytes>" and "cold <variant> <median_total_ms>",
# measured on the code before issue 10 (see bench/README.md for when and where).
before_handler, before_cold = {}, {}
with open(baseline_path, encoding="utf-8") as f:
    for line in f:
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "handler":
            before_handler[int(parts[1])] = (float(parts[2]), int(parts[3]))
        elif parts[0] == "cold":
            before_cold[parts[1]] = float(parts[2])

bodies = {}
bodies_file = os.path.join(out, "handler", "bodies.tsv")
if os.path.exists(bodies_file):
    with open(bodies_file, encoding="utf-8") as f:
        for line in f:
            trades, size = line.split()
            bodies[int(trades)] = int(size)

after_handler = {}
for path in glob.glob(os.path.join(out, "handler", "results", "*-report-brief.json")):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    for b in report["Benchmarks"]:
        trades = int(b["Parameters"].split("=")[1])
        after_handler[trades] = (b["Statistics"]["Median"], int(b["Memory"]["BytesAllocatedPerOperation"]))

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

lines = ["## DataProcessor handler (S3 stubbed, median of BenchmarkDotNet iterations)", "",
         "| trades | body | before: median | before: allocated | after: median | after: allocated | allocated / body |",
         "|---:|---:|---:|---:|---:|---:|---:|"]
for trades in sorted(set(before_handler) | set(after_handler)):
    b = before_handler.get(trades)
    a = after_handler.get(trades)
    body = bodies.get(trades)
    ratio = f"{a[1] / body:.2f}x" if a and body else "-"
    lines.append(f"| {trades} | {size(body) if body else '-'} | {ms(b[0]) if b else '-'} | {size(b[1]) if b else '-'} | "
                 f"{ms(a[0]) if a else 'not run'} | {size(a[1]) if a else 'not run'} | {ratio} |")

verdicts = []
a = after_handler.get(5000)
body = bodies.get(5000)
if a:
    verdicts.append(f"- 5000 trades in <= 15 ms: {'PASS' if a[0] <= 15e6 else 'FAIL'} ({ms(a[0])})")
    if body:
        verdicts.append(f"- 5000 trades allocate <= 3x the body: {'PASS' if a[1] <= 3 * body else 'FAIL'} ({a[1] / body:.2f}x of {size(body)})")

lines += ["", "## Cold start: first invocation of a fresh process (linux-x64 stand-in; constructor + first request, 100 trades)", "",
          "| variant | median | min | max | runs |", "|---|---:|---:|---:|---:|"]
for variant, label in (("jit", "before: JIT (recorded)"),):
    if variant in before_cold:
        lines.append(f"| {label} | {before_cold[variant]:.1f} ms | | | |")
for variant, label in (("jit", "after: JIT"), ("r2r", "after: ReadyToRun")):
    c = cold(variant)
    if c:
        lines.append(f"| {label} | {c[0]:.1f} ms | {c[1]:.1f} ms | {c[2]:.1f} ms | {c[3]} |")
r2r = cold("r2r")
if r2r and "jit" in before_cold:
    target = before_cold["jit"] / 2
    verdicts.append(f"- cold start at most half of before ({target:.1f} ms): {'PASS' if r2r[0] <= target else 'FAIL'} ({r2r[0]:.1f} ms)")

lines += ["", "## Targets", ""] + (verdicts or ["- nothing measured in this run"])
print("\n".join(lines))
