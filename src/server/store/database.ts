import { closeSync, openSync } from 'node:fs';
import sqlite from 'node-sqlite3-wasm';
import type { BindValues, Database as SqliteDatabase, NormalQueryResult } from 'node-sqlite3-wasm';
import { ownDatabase } from './database-owner.js';

export type Row = NormalQueryResult;

/**
 * Each entry moves the schema one version forward; `PRAGMA user_version`
 * records how many have run, so a database created by an older server is
 * brought up to date on open. Append only: never edit a released entry.
 */
const MIGRATIONS = [
  `CREATE TABLE stages (
     arn TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     active_session_id TEXT
   );
   CREATE TABLE tags (
     resource_arn TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (resource_arn, key)
   );
   CREATE TABLE public_keys (
     arn TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     material TEXT NOT NULL,
     fingerprint TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL
   );
   CREATE TABLE signing_key (
     only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
     private_jwk TEXT NOT NULL
   );
   CREATE TABLE stage_sessions (
     session_id TEXT PRIMARY KEY,
     stage_arn TEXT NOT NULL,
     start_time TEXT NOT NULL,
     end_time TEXT
   );
   CREATE INDEX stage_sessions_by_stage ON stage_sessions (stage_arn, start_time);
   CREATE TABLE participants (
     session_id TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     user_id TEXT,
     attributes TEXT NOT NULL,
     first_join_time TEXT NOT NULL,
     connected INTEGER NOT NULL,
     published INTEGER NOT NULL,
     PRIMARY KEY (session_id, participant_id)
   );
   CREATE TABLE revoked_participants (
     stage_arn TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (stage_arn, participant_id)
   );`,
  // Stage events waiting for the webhook receiver. AUTOINCREMENT: ids only grow, so id order is the order events happened.
  `CREATE TABLE webhook_outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     event TEXT NOT NULL,
     created_at TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0
   );`,
];

/**
 * The server's embedded SQLite database (WebAssembly build, so nothing is
 * compiled or downloaded at install). Calls are synchronous: a change and the
 * read that follows it can never interleave with another request.
 */
export class Database {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly release: () => void,
  ) {}

  /** Opens (creating) the database; throws if another running server process uses it. */
  static open(path: string): Database {
    const release = ownDatabase(path);
    let db: Database;
    try {
      // Create the file readable by its owner only before SQLite opens it: it holds the token signing key.
      closeSync(openSync(path, 'a', 0o600));
      db = new Database(new sqlite.Database(path), release);
    } catch (error) {
      release();
      throw error;
    }
    try {
      db.migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  }

  all(sql: string, values?: BindValues): Row[] {
    return this.db.all(sql, values) as Row[];
  }

  get(sql: string, values?: BindValues): Row | undefined {
    return (this.db.get(sql, values) as Row | null) ?? undefined;
  }

  run(sql: string, values?: BindValues): number {
    return this.db.run(sql, values).changes;
  }

  /** Runs `work` in one transaction: every write in it lands, or (when it throws) none does. */
  transaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.db.close();
    this.release();
  }

  private migrate(): void {
    const version = Number(this.get('PRAGMA user_version')?.user_version ?? 0);
    if (version > MIGRATIONS.length) throw new Error(`the database was written by a newer server (schema ${version})`);
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.transaction(() => {
        this.db.exec(MIGRATIONS[i]);
        this.db.exec(`PRAGMA user_version = ${i + 1}`);
      });
    }
  }
}
