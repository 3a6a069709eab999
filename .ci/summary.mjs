// Prints the plain closing line CI reads: "N passed, N failed" (vitest's own summary is not read).
// A missing report (the runner crashed) or a failed typecheck counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, typecheckFailed] = process.argv.slice(2);
let passed = 0;
let failed = Number(typecheckFailed === '1');
let skipped = 0;
if (!existsSync(file)) {
  console.log(`no test report at ${file}: the test runner did not finish`);
  failed += 1;
} else {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).length).length;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (passed === 0) {
    console.log('no test passed: treating the run as failed');
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
