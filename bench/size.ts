/** `npm run size`: the shipped bundles' size beside the peer SDKs, failing when the elements bundle is over its budget. */
import { runBundleSize } from './bundle-size.js';

const result = (await runBundleSize()) as { budgetGzipBytes: number; sizes: Record<string, { gzipBytes: number }> };
const [elements] = Object.values(result.sizes);
if (elements.gzipBytes > result.budgetGzipBytes) {
  console.error(`the elements bundle is ${elements.gzipBytes} bytes with gzip -9, over its ${result.budgetGzipBytes}-byte budget`);
  process.exit(1);
}
