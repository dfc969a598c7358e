/**
 * Bundle size: our elements and SDK-only bundles as shipped in dist/ (rollup +
 * esbuild minify, Lit in production mode) beside the two peer SDKs, each
 * bundled from its npm package with every dependency inside and minified by
 * esbuild the same way, then compressed with gzip -9.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { printTable } from './lib/stats.js';

const PEERS = ['amazon-ivs-web-broadcast', 'livekit-client'] as const;
const OURS = { 'open-ivs-stage (elements, dist/ivs-stage.js)': 'dist/ivs-stage.js', 'open-ivs-stage/sdk (dist/sdk.js)': 'dist/sdk.js' };
/** Issue #5: the elements bundle must stay within this (gzip -9). */
const ELEMENTS_BUDGET_BYTES = 40 * 1024;

interface Size {
  minifiedBytes: number;
  gzipBytes: number;
}

function measure(code: Uint8Array): Size {
  return { minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

async function bundlePeer(pkg: string): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents: `export * from '${pkg}';`, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

export async function runBundleSize(): Promise<Record<string, unknown>> {
  const sizes: Record<string, Size & { version?: string }> = {};
  for (const [name, file] of Object.entries(OURS)) {
    const code = readFileSync(file);
    // A dev-mode Lit build would warn in every visitor's console and weigh more.
    if (code.includes('in dev mode')) throw new Error(`${file} contains Lit's development build`);
    sizes[name] = measure(code);
  }
  for (const pkg of PEERS) {
    const version = JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')).version as string;
    sizes[pkg] = { ...measure(await bundlePeer(pkg)), version };
  }
  const elements = sizes[Object.keys(OURS)[0]].gzipBytes;
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  printTable(
    ['bundle', 'minified KB', 'gzip -9 KB', 'peer / our elements'],
    Object.entries(sizes).map(([name, s]) => [
      s.version ? `${name}@${s.version}` : name,
      kb(s.minifiedBytes),
      kb(s.gzipBytes),
      s.version ? `${(s.gzipBytes / elements).toFixed(1)}×` : '—',
    ]),
  );
  console.log(`elements budget: ≤ ${kb(ELEMENTS_BUDGET_BYTES)} KB gzip -9 → ${elements <= ELEMENTS_BUDGET_BYTES ? 'met' : 'NOT met'}`);
  return { date: new Date().toISOString(), budgetGzipBytes: ELEMENTS_BUDGET_BYTES, sizes };
}
