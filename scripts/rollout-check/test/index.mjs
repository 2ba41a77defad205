// Entry point for `node --test scripts/rollout-check/test/` (see package.json): every test file.
import './rollout-check.test.mjs';
import './real-synth.test.mjs';
