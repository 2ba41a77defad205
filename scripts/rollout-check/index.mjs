#!/usr/bin/env node
// The rollout check's command line (see check.mjs and README.md): runs main() and exits with its code.
import { main } from './check.mjs';

process.exitCode = main(process.argv.slice(2));
