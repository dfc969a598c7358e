import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';
import type { RequestHandler } from '../http/http-util.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

/** What `dist/` holds that is not for browsers: the server's own bundle and addon, and source maps. */
const PRIVATE_IN_DIST = /^server(\/|$)|\.map$/;

/**
 * Serves the demo pages at `/` and the browser bundles at `/dist/` from the
 * package root. Only those two folders are reachable (without the server
 * bundle and source maps); paths are normalized so `..` cannot leave them.
 */
export function createStaticHandler(root: string): RequestHandler {
  const mounts: Array<[prefix: string, dir: string, hidden?: RegExp]> = [
    ['/dist/', join(root, 'dist'), PRIVATE_IN_DIST],
    ['/', join(root, 'demo')],
  ];
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const mount = mounts.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!mount) return false;
    const [prefix, dir, hidden] = mount;
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice(prefix.length));
    } catch {
      return false;
    }
    let file = normalize(join(dir, relative));
    if (file !== dir && !file.startsWith(dir + sep)) return false;
    if (hidden?.test(file.slice(dir.length + 1).split(sep).join('/'))) return false;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    // A file removed or rebuilt while it is sent ends this response, not the server.
    else pipeline(createReadStream(file), res, (error) => error && res.destroy());
    return true;
  };
}
