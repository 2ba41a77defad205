// Shared by the rollout-check tests: run the check (in this process, or the CLI as a new process), copy and
// edit fixture assemblies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../check.mjs';
import { runMain, runScript } from '../../lib/test-support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.join(here, '..', 'index.mjs');
export const FIX = path.join(here, 'fixtures');
export const REPO = path.resolve(here, '..', '..', '..');

const testEnv = (env) => ({ ...process.env, ROLLOUT_CHECK_REPORT: '', ...env });

/**
 * Runs the check in this process (main() of check.mjs, as the CLI does, without loading Node and the diff
 * library again); returns { code, out } with stdout and stderr together (what a person sees).
 */
export function run(args, env = {}) {
  const r = runMain(main, args, { env: testEnv(env) });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/** Runs the real command (`node scripts/rollout-check/index.mjs ...`) as a new process; resolves to what run() returns. */
export async function runCli(args, env = {}) {
  const r = await runScript(CLI, args, { env: testEnv(env) });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/** The arguments that compare the base and new assemblies of one fixture case. */
export const caseArgs = (name, ...args) => ['--base-dir', path.join(FIX, name, 'base'), '--new-dir', path.join(FIX, name, 'new'), ...args];

/** Compares the base and new assemblies of one fixture case (in this process). */
export const runCase = (name, ...args) => run(caseArgs(name, ...args));

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
