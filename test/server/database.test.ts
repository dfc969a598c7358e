import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sqlite from 'node-sqlite3-wasm';
import { Database } from '../../src/server/store/database.js';

/** A node process that runs until killed, or has already exited. */
async function nodeProcess(keepRunning: boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', keepRunning ? 'setInterval(() => {}, 1000)' : ''], { stdio: 'ignore' });
  if (!keepRunning) await once(child, 'exit');
  return child;
}

describe('Database', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage-database-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes all of a transaction or none of it', () => {
    const db = Database.open(join(dir, 'transactions.sqlite'));
    try {
      db.run("INSERT INTO stages (arn, id, name, created_at) VALUES ('arn:a', 'a', 'kept', 'now')");
      assert.throws(
        () =>
          db.transaction(() => {
            db.run("INSERT INTO stages (arn, id, name, created_at) VALUES ('arn:b', 'b', 'lost', 'now')");
            db.run("UPDATE stages SET name = 'changed' WHERE id = 'a'");
            throw new Error('half way');
          }),
        /half way/,
      );
      assert.deepEqual(db.all('SELECT id, name FROM stages'), [{ id: 'a', name: 'kept' }]);
    } finally {
      db.close();
    }
  });

  it('recovers from a server that was killed while it held the SQLite lock', async () => {
    const path = join(dir, 'crashed.sqlite');
    Database.open(path).close();
    const dead = await nodeProcess(false);
    writeFileSync(`${path}.owner`, String(dead.pid));
    mkdirSync(`${path}.lock`);
    const db = Database.open(path);
    try {
      db.run("INSERT INTO stages (arn, id, name, created_at) VALUES ('arn:c', 'c', 'after crash', 'now')");
      assert.equal(db.get("SELECT name FROM stages WHERE id = 'c'")?.name, 'after crash');
    } finally {
      db.close();
    }
    assert.equal(existsSync(`${path}.owner`), false);
  });

  it('refuses a database another running server process uses', async () => {
    const path = join(dir, 'shared.sqlite');
    const other = await nodeProcess(true);
    try {
      writeFileSync(`${path}.owner`, String(other.pid));
      assert.throws(() => Database.open(path), new RegExp(`another server process \\(pid ${other.pid}\\)`));
    } finally {
      other.kill();
    }
  });

  it('refuses a database written by a newer server', () => {
    const path = join(dir, 'newer.sqlite');
    const raw = new sqlite.Database(path);
    raw.exec('PRAGMA user_version = 999');
    raw.close();
    assert.throws(() => Database.open(path), /newer server/);
    assert.equal(existsSync(`${path}.owner`), false);
  });
});
