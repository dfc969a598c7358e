/** `npm run bench`: runs every benchmark and writes its results to bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runPublishAndFirstFrame } from './publish-and-first-frame.js';

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const result = await runPublishAndFirstFrame();
writeFileSync(new URL('publish-and-first-frame.json', resultsDir), JSON.stringify(result, null, 2) + '\n');
