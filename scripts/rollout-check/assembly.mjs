// Reads a synthesized cloud assembly (cdk.out) into what the rollout check compares: each stack's
// name, template, termination protection and tags, in the order the CDK wrote them.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { CloudAssembly } = require('aws-cdk-lib/cx-api');

/** Deploy order of this app's layers; stack names end in "-<Layer>" (TradingPlatform-<env>-<Layer>). */
// Recovery (staging and prod, in the recovery region) deploys before Data, which names what it creates.
export const LAYER_ORDER = ['Security', 'Network', 'Recovery', 'Data', 'Api'];

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

/**
 * Loads every aws:cloudformation:stack artifact of the assembly in `dir` with the CDK's own cloud assembly API
 * (aws-cdk-lib/cx-api), which also checks the manifest against the cloud assembly schema.
 * Returns a Map stackName -> { name, index, region, template, terminationProtection, tags } (region: for the cost delta).
 * This app has no Stages or nested stacks, so nested assemblies are not followed (`assembly.stacks`, not
 * `stacksRecursively`): the CDK Pipelines Delivery stack would bring Stages.
 */
export function loadAssembly(dir) {
  let assembly;
  try {
    // In manifest order (not re-sorted by dependencies): `index` below is that order.
    assembly = new CloudAssembly(dir, { topoSort: false });
  } catch (e) {
    throw new AssemblyError(`cannot read cloud assembly manifest ${path.join(dir, 'manifest.json')}: ${e.message}`);
  }
  const stacks = new Map();
  let index = 0;
  for (const artifact of assembly.stacks) {
    // The deployed CloudFormation stack name (the artifact id when the manifest gives no stackName).
    const name = artifact.stackName;
    let template;
    try {
      template = artifact.template;
    } catch (e) {
      throw new AssemblyError(`cannot read template of ${name} ${artifact.templateFullPath}: ${e.message}`);
    }
    stacks.set(name, {
      name,
      index: index++,
      region: artifact.environment.region,
      template,
      // Absent means off: that is what `cdk deploy` sets when the property is missing.
      terminationProtection: artifact.terminationProtection === true,
      tags: artifact.tags,
    });
  }
  if (stacks.size === 0) throw new AssemblyError(`${dir} holds no stacks (no aws:cloudformation:stack artifact in manifest.json)`);
  return stacks;
}
