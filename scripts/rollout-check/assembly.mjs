// Reads a synthesized cloud assembly (cdk.out) into what the rollout check compares: each stack's
// name, template, termination protection and tags, in the order the CDK wrote them.
import fs from 'node:fs';
import path from 'node:path';

/** Deploy order of this app's layers; stack names end in "-<Layer>" (TradingPlatform-<env>-<Layer>). */
export const LAYER_ORDER = ['Security', 'Network', 'Data', 'Api'];

export class AssemblyError extends Error {}

/** The layer a stack name belongs to ("TradingPlatform-prod-Data" -> "Data"), or the name itself. */
export function layerOf(stackName) {
  const last = stackName.split('-').pop();
  return LAYER_ORDER.includes(last) ? last : stackName;
}

/**
 * Sort key for deploy order: known layers first in layer order, anything else after them in the order
 * the manifest lists it (the CDK writes stacks after the stacks they depend on).
 */
export function deployRank(stack) {
  const i = LAYER_ORDER.indexOf(layerOf(stack.name));
  return i >= 0 ? i : LAYER_ORDER.length + stack.index;
}

function readJson(file, what) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AssemblyError(`cannot read ${what} ${file}: ${e.message}`);
  }
}

/**
 * Loads every aws:cloudformation:stack artifact of the assembly in `dir`.
 * Returns a Map stackName -> { name, index, template, terminationProtection, tags }.
 * This app has no Stages or nested stacks, so nested assemblies are not followed.
 */
export function loadAssembly(dir) {
  const manifest = readJson(path.join(dir, 'manifest.json'), 'cloud assembly manifest');
  const stacks = new Map();
  let index = 0;
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact?.type !== 'aws:cloudformation:stack') continue;
    const props = artifact.properties ?? {};
    // The deployed CloudFormation stack name; CDK omits stackName when it equals the artifact id.
    const name = props.stackName ?? artifactId;
    const templateFile = props.templateFile ?? `${artifactId}.template.json`;
    stacks.set(name, {
      name,
      index: index++,
      template: readJson(path.join(dir, templateFile), `template of ${name}`),
      // Absent means off: that is what `cdk deploy` sets when the property is missing.
      terminationProtection: props.terminationProtection === true,
      tags: props.tags ?? {},
    });
  }
  if (stacks.size === 0) throw new AssemblyError(`${dir} holds no stacks (no aws:cloudformation:stack artifact in manifest.json)`);
  return stacks;
}
