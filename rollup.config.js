import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import resolve from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const define = { __SDK_VERSION__: JSON.stringify(pkg.version) };

/** A browser bundle with every dependency inside, so a plain <script type="module"> can load it. */
const browserBundle = (input, file) => ({
  input,
  output: { file, format: 'es', sourcemap: true },
  plugins: [resolve({ browser: true }), esbuild({ target: 'es2022', minify: true, define, legalComments: 'none' })],
});

/** The server keeps its npm dependencies external: they are installed beside it. */
const serverExternals = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies ?? {}),
];

const NATIVE_SOURCES = 'src/server/media/sfu/native';
const NATIVE_OUTPUT = 'dist/server/srtp-sender.node';

/**
 * Compiles the SFU's native send path beside the server bundle. It is
 * optional: without a C compiler the server forwards with its JavaScript path
 * (and says so when it starts), so a failed compile warns and goes on.
 */
function nativeSrtpSender() {
  return {
    name: 'native-srtp-sender',
    writeBundle() {
      rmSync(NATIVE_OUTPUT, { force: true });
      const headers = new URL('./node_modules/node-api-headers/include', import.meta.url).pathname;
      const sources = readdirSync(NATIVE_SOURCES).filter((f) => f.endsWith('.c')).map((f) => `${NATIVE_SOURCES}/${f}`);
      try {
        execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-fPIC', '-shared', '-I', headers, '-o', NATIVE_OUTPUT, ...sources], { stdio: 'pipe' });
      } catch (err) {
        this.warn(`native SRTP sender not built, the SFU will use its JavaScript send path: ${err.stderr?.toString().trim() || err.message}`);
      }
    },
  };
}

export default [
  browserBundle('src/index.ts', 'dist/ivs-stage.js'),
  browserBundle('src/sdk/index.ts', 'dist/sdk.js'),
  {
    input: 'src/server/cli.ts',
    output: { file: 'dist/server/cli.js', format: 'es', sourcemap: true, banner: '#!/usr/bin/env node' },
    external: (id) => serverExternals.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: [resolve({ preferBuiltins: true }), esbuild({ target: 'node20', platform: 'node' }), nativeSrtpSender()],
  },
];
