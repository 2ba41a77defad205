// The traffic assumption: cost-usage.json's `default` block, laid over by the environment kind's block, then by a
// --usage file (the same shape: any of the blocks, or plain keys), then by --set key=value. Validated here: an
// unknown key, a wrong type or a value out of range is a UsageError naming it.
import fs from 'node:fs';

export class UsageError extends Error {}

export const BLOCKS = ['dev', 'ephemeral', 'staging', 'prod', 'delivery'];

// Bounds per key: [min, max]; booleans are listed apart. tradesPerBatch: the API takes 1-5000 trades a batch.
const BOUNDS = {
  tradesPerBatch: [1, 5000],
  monthsOfData: [0, 1200],
  databaseAwakeHoursPerDay: [0, 24],
};
const BOOLEANS = ['cloudTrailIsAdditionalCopy'];

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

function check(where, block, known) {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new UsageError(`${where}: expected an object of usage keys`);
  for (const [key, value] of Object.entries(block)) {
    if (key.startsWith('$')) continue;
    if (!known.includes(key)) throw new UsageError(`${where}: unknown usage key '${key}' (known: ${known.join(', ')})`);
    if (BOOLEANS.includes(key)) {
      if (typeof value !== 'boolean') throw new UsageError(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UsageError(`${where}: ${key} must be a number >= 0, got ${JSON.stringify(value)}`);
    const [min, max] = BOUNDS[key] ?? [0, Infinity];
    if (value < min || value > max) throw new UsageError(`${where}: ${key} must be between ${min} and ${max}, got ${value}`);
  }
}

/** Parses one --set key=value into [key, value] (numbers, true/false). */
function parseSet(text) {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--set expects key=value, got '${text}'`);
  const raw = text.slice(at + 1).trim();
  let value = raw === 'true' ? true : raw === 'false' ? false : Number(raw);
  if (raw === '' || (typeof value === 'number' && Number.isNaN(value))) value = raw;
  return [text.slice(0, at).trim(), value];
}

/**
 * The usage of an environment of `kind` ('dev', 'ephemeral', 'staging', 'prod' or 'delivery'): { values, sources },
 * `sources` naming what was laid over the defaults.
 */
export function resolveUsage({ file, kind, overrideFile, sets = [] }) {
  const base = readJson(file);
  if (!base.default) throw new UsageError(`${file}: needs a "default" block holding every usage key`);
  const known = Object.keys(base.default).filter((k) => !k.startsWith('$'));
  check(`${file} default`, base.default, known);
  for (const [name, block] of Object.entries(base)) {
    if (name.startsWith('$') || name === 'default') continue;
    if (!BLOCKS.includes(name)) throw new UsageError(`${file}: unknown block '${name}' (blocks: default, ${BLOCKS.join(', ')})`);
    check(`${file} ${name}`, block, known);
  }
  const values = { ...base.default, ...(base[kind] ?? {}) };
  const sources = [`${file} (default${base[kind] ? ` + ${kind}` : ''})`];
  if (overrideFile) {
    const extra = readJson(overrideFile);
    const blocks = Object.keys(extra).filter((k) => k === 'default' || BLOCKS.includes(k));
    if (blocks.length) {
      for (const b of blocks) check(`${overrideFile} ${b}`, extra[b], known);
      Object.assign(values, extra.default ?? {}, extra[kind] ?? {});
    } else {
      check(overrideFile, extra, known);
      Object.assign(values, extra);
    }
    sources.push(overrideFile);
  }
  if (sets.length) {
    const given = Object.fromEntries(sets.map(parseSet));
    check('--set', given, known);
    Object.assign(values, given);
    sources.push(`--set ${sets.join(' ')}`);
  }
  for (const k of Object.keys(values)) if (k.startsWith('$')) delete values[k];
  return { values, sources };
}
