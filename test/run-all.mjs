import { spawn } from 'node:child_process';

/**
 * Runs every suite (type check, Node tests, browser tests), streams their
 * output, and ends with one summary line of passed/failed test counts.
 */
const suites = [
  // The end-to-end test runs the built server and bundle, as `npm start` does.
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'] },
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'node', cmd: ['npm', 'run', '--silent', 'test:node'], count: countNodeTests },
  { name: 'browser', cmd: ['npm', 'run', '--silent', 'test:browser'], count: countBrowserTests },
];

function countNodeTests(out) {
  const pass = /^# pass (\d+)/m.exec(out);
  const fail = /^# fail (\d+)/m.exec(out);
  return pass && fail ? { passed: Number(pass[1]), failed: Number(fail[1]) } : undefined;
}

function countBrowserTests(out) {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  const matches = [...plain.matchAll(/(\d+) passed, (\d+) failed/g)];
  const last = matches.at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

function run({ cmd }) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

let passed = 0;
let failed = 0;
let ok = true;
for (const suite of suites) {
  const { code, out } = await run(suite);
  const counts = suite.count?.(out);
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
  }
  if (code !== 0 || (suite.count && !counts)) {
    ok = false;
    console.log(`\n${suite.name} failed (exit ${code})`);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
