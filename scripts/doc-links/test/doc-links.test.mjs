// Tests of the documentation's links (README.md, docs/*.md, the anchors the source quotes). Run:
// node --test scripts/doc-links/test/   (npm test runs it beside the gates' tests; file reads only, milliseconds)
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, slug, anchors, links } from '../check.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-links-test-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** A throw-away repository with the given files ({ 'docs/a.md': '...' }). */
function repo(name, files) {
  const root = path.join(tmpRoot, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('doc-links', () => {
  test('every relative link in README.md and docs/*.md, and every anchor the source quotes, resolves', () => {
    assert.deepEqual(check(REPO), [], 'fix the link or the heading it names (a renamed heading changes its id)');
  });

  test('the README links each moved document in one click', () => {
    // The README is short because the rest moved: each of these must stay one click away from it.
    const targets = links(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')).map((l) => l.target);
    for (const doc of ['docs/architecture.md', 'docs/configuration.md', 'docs/deploying.md', 'docs/deploying.md#what-each-stack-exports',
      'docs/api.md', 'docs/compliance.md', 'docs/operations.md', 'docs/runbook.md', 'docs/development.md', 'docs/architecture.png']) {
      assert.ok(targets.includes(doc), `README.md no longer links ${doc}`);
    }
  });

  test("the alarms' runbook link (README.md#runbook) is quoted by the source and lands on a heading", () => {
    // PlatformAlarms, PlatformHealth and ConfigRecording write "Runbook: README.md#runbook (...)" into every alarm.
    assert.ok(anchors(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')).has('runbook'));
  });

  test('heading ids follow GitHub: lower case, punctuation and code marks dropped, duplicates numbered', () => {
    assert.equal(slug('Before a rollout: the rollout check'), 'before-a-rollout-the-rollout-check');
    assert.equal(slug('Environment presets (`src/Config/EnvironmentPresets.cs`)'), 'environment-presets-srcconfigenvironmentpresetscs');
    assert.equal(slug('cdk-nag: AwsSolutions and PCI DSS 3.2.1'), 'cdk-nag-awssolutions-and-pci-dss-321');
    assert.deepEqual([...anchors('# A\n## Same\n```sh\n# not a heading\n```\n## Same\n')], ['a', 'same', 'same-1']);
  });

  test('a missing file, a missing heading and a broken source anchor are each reported with file and line', () => {
    const root = repo('broken', {
      'README.md': '# Top\n\n[ok](docs/a.md#part) [gone](docs/gone.md)\n[bad anchor](docs/a.md#nowhere) `[code](x.md)`\n',
      'docs/a.md': '# A\n\n## Part\n\n[up](../README.md#top) [self](#part) ![img](missing.png)\n',
      'src/Alarm.cs': 'var d = "Runbook: README.md#runbook (x)";\n',
    });
    assert.deepEqual(check(root), [
      'README.md:3: docs/gone.md: no such file docs/gone.md',
      "README.md:4: docs/a.md#nowhere: docs/a.md has no heading with id 'nowhere'",
      'docs/a.md:5: missing.png: no such file docs/missing.png',
      "src/Alarm.cs:1: README.md#runbook: README.md has no heading with id 'runbook'",
    ]);
  });
});
