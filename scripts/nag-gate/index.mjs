#!/usr/bin/env node
// The cdk-nag gate's command line (see gate.mjs and README.md): runs main() and exits with its code.
import { main } from './gate.mjs';

process.exitCode = main(process.argv.slice(2));
