// Entry point for `node --test scripts/cost/test/` (see package.json): every test file.
import './prices.test.mjs';
import './estimate.test.mjs';
import './cli.test.mjs';
