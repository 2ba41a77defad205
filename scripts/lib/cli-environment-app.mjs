// An "app" for the CDK CLI that only records what the CLI hands an app (its environment: CDK_CONTEXT_JSON with
// cdk.json's and cdk.context.json's context and the CLI's own keys, CDK_DEFAULT_ACCOUNT/REGION, ...) into the file
// named by its argument, then writes a one-stack placeholder assembly so that the CLI ends without error.
// scripts/synth-cache.mjs runs it once and hands the same to its batch synthesis (src/Hosting/SynthBatch.cs).
import fs from 'node:fs';
import path from 'node:path';

const [file] = process.argv.slice(2);
fs.writeFileSync(file, JSON.stringify(process.env));
const out = process.env.CDK_OUTDIR;
fs.writeFileSync(path.join(out, 'Capture.template.json'), '{}');
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({
  version: process.env.CDK_CLI_ASM_VERSION,
  artifacts: { Capture: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Capture.template.json' } } },
}));
