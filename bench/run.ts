/**
 * `npm run bench [name…]`: runs every benchmark (or the named ones) in turn and
 * writes each one's results to bench/results/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBundleSize } from './bundle-size.js';
import { runJoinAndFirstFrame } from './join-and-first-frame.js';
import { runRefreshStrategy } from './refresh-strategy.js';
import { runSfuCapacity } from './sfu-capacity.js';

const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {
  'bundle-size': runBundleSize,
  'join-and-first-frame': runJoinAndFirstFrame,
  'refresh-strategy': runRefreshStrategy,
  'sfu-capacity': runSfuCapacity,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n## ${name}\n`);
  const result = await run();
  writeFileSync(new URL(`${name}.json`, resultsDir), JSON.stringify(result, null, 2) + '\n');
}
