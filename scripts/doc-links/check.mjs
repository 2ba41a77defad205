#!/usr/bin/env node
// Checks the documentation's links: every relative link and image in README.md and docs/*.md must point at a file
// that exists and, with a #fragment, at a heading of that Markdown file (GitHub's heading ids); and every
// `README.md#x` / `docs/<file>.md#x` the app's source quotes (the alarms' "Runbook: README.md#runbook") must
// resolve too. Pure file reads, no network: web links are not checked.
// Usage: node scripts/doc-links/check.mjs [repo]   exit 0 = all resolve, 1 = the broken ones are listed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** GitHub's id for a heading: lower case, punctuation dropped (not - or _), spaces to hyphens. */
export function slug(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a Markdown file outside fenced code blocks, with their 1-based numbers. */
function proseLines(text) {
  const out = [];
  let fence = null;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (!fence) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      return;
    }
    if (!fence) out.push({ line, n: i + 1 });
  });
  return out;
}

/** The heading ids of a Markdown file, duplicates numbered as GitHub does (x, x-1, x-2). */
export function anchors(text) {
  const seen = new Map();
  const ids = new Set();
  for (const { line } of proseLines(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = slug(h[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** The relative links of a Markdown file (inline code and fenced blocks skipped): { target, n }. */
export function links(text) {
  const out = [];
  for (const { line, n } of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      out.push({ target, n });
    }
  }
  return out;
}

/** Problems with a link from `fromFile` to `target` ('' when it resolves). */
function resolve(repo, fromFile, target, cache) {
  const [rawPath, fragment] = target.split('#', 2);
  const file = rawPath === '' ? fromFile : path.resolve(path.dirname(fromFile), decodeURIComponent(rawPath));
  const shown = path.relative(repo, file) || '.';
  if (!fs.existsSync(file)) return `${target}: no such file ${shown}`;
  if (fragment === undefined || fragment === '') return '';
  if (!file.endsWith('.md')) return `${target}: a #fragment on a file that is not Markdown`;
  if (!cache.has(file)) cache.set(file, anchors(fs.readFileSync(file, 'utf8')));
  return cache.get(file).has(fragment.toLowerCase()) ? '' : `${target}: ${shown} has no heading with id '${fragment}'`;
}

/** The Markdown files checked: README.md and docs/*.md. */
export function documents(repo) {
  const docs = path.join(repo, 'docs');
  const inDocs = fs.existsSync(docs) ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => path.join(docs, f)) : [];
  return [path.join(repo, 'README.md'), ...inDocs];
}

/** Source files (C#) under src/ that may quote a document's anchor; bin/ and obj/ skipped. */
function sources(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'bin' || e.name === 'obj' ? [] : sources(p);
    return e.name.endsWith('.cs') ? [p] : [];
  });
}

/** Every broken link, as "file:line: problem" relative to repo; [] when all resolve. */
export function check(repo) {
  const cache = new Map();
  const problems = [];
  for (const doc of documents(repo)) {
    if (!fs.existsSync(doc)) {
      problems.push(`${path.relative(repo, doc)}: missing`);
      continue;
    }
    for (const { target, n } of links(fs.readFileSync(doc, 'utf8'))) {
      const p = resolve(repo, doc, target, cache);
      if (p) problems.push(`${path.relative(repo, doc)}:${n}: ${p}`);
    }
  }
  // The source quotes documents by their path from the repository root (alarm descriptions, comments).
  for (const src of sources(path.join(repo, 'src'))) {
    fs.readFileSync(src, 'utf8').split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/(?<![\w/.-])((?:docs\/)?[\w.-]+\.md)#([\w-]+)/g)) {
        const p = resolve(repo, path.join(repo, 'x'), `${m[1]}#${m[2]}`, cache);
        if (p) problems.push(`${path.relative(repo, src)}:${i + 1}: ${p}`);
      }
    });
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const repo = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const problems = check(repo);
  for (const p of problems) console.error(`doc-links: ${p}`);
  console.log(problems.length ? `doc-links: ${problems.length} broken link(s)` : `doc-links: all links resolve (${documents(repo).length} documents)`);
  process.exit(problems.length ? 1 : 0);
}
