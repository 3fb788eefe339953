// Reads vitest JSON reports and prints "<passed> <failed> <skipped>": a test file that failed to
// load (it has no test results but a failed status) counts as one failed test.
import { readFileSync, existsSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed++;
  }
  if (r.numTotalTests === 0) failed++;
}
console.log(`${passed} ${failed} ${skipped}`);
