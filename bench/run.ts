/** `npm run bench`: runs every benchmark and writes its results to bench/results/. */
import { writeFileSync } from 'node:fs';
import { runPublishAndFirstFrame } from './publish-and-first-frame.js';

const result = await runPublishAndFirstFrame();
writeFileSync(new URL('./results/publish-and-first-frame.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
