import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStaticHandler } from '../../src/server/static/static-files.js';
import { listen } from './control-plane-harness.js';

/** The static files of a package root: demo pages and browser bundles, and nothing of the server. */
describe('static files', () => {
  let root: string;
  let served: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'stage-static-'));
    await mkdir(join(root, 'dist', 'server'), { recursive: true });
    await mkdir(join(root, 'demo'));
    await writeFile(join(root, 'demo', 'index.html'), '<h1>demo</h1>');
    await writeFile(join(root, 'dist', 'ivs-stage.js'), 'export {};');
    await writeFile(join(root, 'dist', 'ivs-stage.js.map'), '{}');
    await writeFile(join(root, 'dist', 'server', 'cli.js'), 'secret server code');
    await writeFile(join(root, 'secret.txt'), 'outside both folders');
    // Reading /proc/self/mem from offset 0 fails with EIO after stat called it a file: a read error mid-response.
    await symlink('/proc/self/mem', join(root, 'demo', 'unreadable.html'));
    served = await listen(createStaticHandler(root));
  });
  after(async () => {
    await served.close();
    await rm(root, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(served.origin + path);
    return { status: response.status, text: await response.text() };
  };

  it('serves the demo pages and the browser bundles', async () => {
    assert.deepEqual(await get('/'), { status: 200, text: '<h1>demo</h1>' });
    assert.deepEqual(await get('/dist/ivs-stage.js'), { status: 200, text: 'export {};' });
  });

  it('does not serve the server bundle, source maps, or anything outside the two folders, however the path is spelled', async () => {
    for (const path of [
      '/dist/server/cli.js',
      '/dist/%73erver/cli.js',
      '/dist/./server/cli.js',
      '/dist/types/../server/cli.js',
      '/dist/server',
      '/dist/ivs-stage.js.map',
      '/dist/ivs-stage.js%2emap',
      '/dist/../secret.txt',
      '/dist/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
    ]) {
      assert.equal((await get(path)).status, 404, path);
    }
  });

  it('ends only the response when reading a file fails midway', async () => {
    await assert.rejects(fetch(served.origin + '/unreadable.html').then((response) => response.text()));
    assert.equal((await get('/')).status, 200, 'the server still serves');
  });
});
