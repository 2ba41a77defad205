#!/usr/bin/env node
// The CloudFormation linter gate's command line (see gate.mjs and README.md): runs main() and exits with its code.
import { main } from './gate.mjs';

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`lint-gate: ERROR: ${e.stack ?? e}`);
  process.exitCode = 1;
});
