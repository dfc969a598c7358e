import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ThirdPartyOrigin {
  url: string;
  close(): Promise<void>;
}

/**
 * Bundles an npm package for the browser, as an application would, into one
 * ES module that re-exports `names` (the packages ship CommonJS or import
 * bare specifiers a page cannot resolve).
 */
async function bundle(packageName: string, names: string[]): Promise<string> {
  const result = await build({
    stdin: { contents: `export { ${names.join(', ')} } from '${packageName}';`, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/**
 * Serves an empty page and `/client.js` (the bundled package) from its own
 * origin on 127.0.0.1, so the third-party client calls the stage server
 * cross-origin, as a customer's page would.
 */
export async function serveThirdPartyClient(packageName: string, names: string[]): Promise<ThirdPartyOrigin> {
  const script = await bundle(packageName, names);
  const server: Server = createServer((req, res) => {
    if (req.url === '/client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body></body></html>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
