// Shared by the cost tool's tests: fixture stacks, the real assemblies of the synth cache, running the command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, loadPrices, REPO } from '../index.mjs';
import { runMain } from '../../lib/test-support.mjs';

export { REPO };
export const prices = loadPrices();

/** A one-template stack in `region` (default us-east-1): { name, region, template }. */
export const stack = (name, resources, region = 'us-east-1', outputs = undefined) => ({ name, region, template: { Resources: resources, ...(outputs ? { Outputs: outputs } : {}) } });

/**
 * The synth cache's assemblies ({ variant: dir }): TRADINGPLATFORM_ASSEMBLIES (the JSON scripts/synth-cache.mjs prints,
 * which npm test hands over), else made (or found) by the synth cache itself from SynthVariants.json.
 */
let cached;
export async function assemblies() {
  if (cached) return cached;
  if (process.env.TRADINGPLATFORM_ASSEMBLIES) {
    cached = JSON.parse(process.env.TRADINGPLATFORM_ASSEMBLIES);
  } else {
    const { ensureAssemblies } = await import('../../synth-cache.mjs');
    cached = await ensureAssemblies(JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'TradingPlatform.Tests', 'SynthVariants.json'), 'utf8')));
  }
  return cached;
}

/** Runs `npm run cost -- ...args` in this process; resolves to { code, out, err }. */
export async function cost(...args) {
  const r = await runMain(main, args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cost-${prefix}-`));
}

/** A copy of an assembly with `edit(templates)` applied (stack name -> parsed template). */
export function editedCopy(dir, edit) {
  const copy = tempDir('edit');
  fs.cpSync(dir, copy, { recursive: true, filter: (src) => !/asset\./.test(path.basename(src)) });
  const files = fs.readdirSync(copy).filter((f) => f.endsWith('.template.json'));
  const templates = Object.fromEntries(files.map((f) => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(copy, f), 'utf8'))]));
  edit(templates);
  for (const [name, t] of Object.entries(templates)) fs.writeFileSync(path.join(copy, `${name}.template.json`), JSON.stringify(t));
  return copy;
}

/** A copy of the price table with `edit(table)` applied; returns its path. */
export function editedPrices(edit) {
  const table = structuredClone(prices);
  edit(table);
  const file = path.join(tempDir('prices'), 'prices.json');
  fs.writeFileSync(file, JSON.stringify(table));
  return file;
}

/** Every template file of an assembly, nested stage assemblies included. */
export function templateFiles(dir) {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.template.json')).map((f) => path.join(dir, String(f)));
}
