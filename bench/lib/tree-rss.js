#!/usr/bin/env node
// Peak memory of a process TREE, for machines where bench/run.sh cannot use a cgroup.
//
// Usage: node tree-rss.js <root-pid> [interval-ms]
// Every interval (default 50 ms) it sums VmRSS of <root-pid> and all its descendants (found through
// the ppid field of /proc/<pid>/stat) and keeps the largest sum. When <root-pid> is gone it prints
// that peak in KiB on stdout and exits.
//
// Why not `/usr/bin/time -f %M`: that is the largest SINGLE process, but a CDK synth is a tree
// (npx -> cdk CLI node -> dotnet -> node jsii runtime) and all of it is resident at the same time.
// Limits: a process that lives shorter than one interval can be missed, and pages shared between
// processes are counted once per process (RSS), so this slightly over-counts shared libraries.
'use strict';
const fs = require('fs');

const root = Number(process.argv[2]);
const intervalMs = Number(process.argv[3] || 50);
if (!Number.isInteger(root) || root <= 0) {
  console.error('usage: tree-rss.js <root-pid> [interval-ms]');
  process.exit(2);
}

function readOrNull(path) {
  try { return fs.readFileSync(path, 'utf8'); } catch { return null; }
}

// ppid of every live process. The comm field (2nd) may contain spaces and parentheses, so parse
// after the LAST ')'.
function parentMap() {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOrNull(`/proc/${name}/stat`);
    if (stat === null) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  return children;
}

function rssKiB(pid) {
  const status = readOrNull(`/proc/${pid}/status`);
  const m = status && status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) : 0;
}

function treeRssKiB() {
  const children = parentMap();
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    total += rssKiB(pid);
    for (const child of children.get(pid) || []) stack.push(child);
  }
  return total;
}

let peak = 0;
function done() {
  process.stdout.write(`${peak}\n`);
  process.exit(0);
}
process.on('SIGTERM', done);

const timer = setInterval(() => {
  if (!fs.existsSync(`/proc/${root}`)) {
    clearInterval(timer);
    done();
    return;
  }
  peak = Math.max(peak, treeRssKiB());
}, intervalMs);
