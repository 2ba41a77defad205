// Shared by the rollout-check tests: run the CLI, copy and edit fixture assemblies.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.join(here, '..', 'index.mjs');
export const FIX = path.join(here, 'fixtures');
export const REPO = path.resolve(here, '..', '..', '..');

/** Runs the CLI; returns { code, out } with stdout and stderr together (what a person sees). */
export function run(args, env = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ROLLOUT_CHECK_REPORT: '', ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Compares the base and new assemblies of one fixture case. */
export const runCase = (name, ...args) => run(['--base-dir', path.join(FIX, name, 'base'), '--new-dir', path.join(FIX, name, 'new'), ...args]);

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rollout-check-${prefix}-`));
}

/** Copies an assembly and applies `edit(templates)` (stack name -> parsed template) to the copy. */
export function editedCopy(dir, edit) {
  const copy = tempDir('edit');
  fs.cpSync(dir, copy, { recursive: true });
  const files = fs.readdirSync(copy).filter((f) => f.endsWith('.template.json'));
  const templates = Object.fromEntries(files.map((f) => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(copy, f), 'utf8'))]));
  edit(templates);
  for (const [name, t] of Object.entries(templates)) fs.writeFileSync(path.join(copy, `${name}.template.json`), JSON.stringify(t));
  return copy;
}

/** The line of the report that starts with the given label and names the given subject. */
export function lineOf(out, label, subject) {
  return out.split('\n').find((l) => l.trimStart().startsWith(label) && l.includes(subject));
}
