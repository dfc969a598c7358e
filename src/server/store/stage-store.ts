import { randomAlphanumeric } from '../random-id.js';
import type { Database, Row } from './database.js';
import type { TagStore } from './tag-store.js';

export interface StageRecord {
  arn: string;
  id: string;
  name: string;
  tags: Record<string, string>;
  /** ISO 8601. */
  createdAt: string;
  /** The session in progress, if anyone is on the stage. */
  activeSessionId?: string;
}

const STAGE_ID_LENGTH = 12;

/** The stages that exist, in the server's database. */
export class StageStore {
  constructor(
    private readonly db: Database,
    private readonly tags: TagStore,
    /** Everything before the stage id, e.g. `arn:aws:ivs:us-east-1:000000000000:stage/`. */
    private readonly arnPrefix: string,
  ) {}

  create(input: { name?: string; tags?: Record<string, string> }): StageRecord {
    return this.db.transaction(() => {
      let id = randomAlphanumeric(STAGE_ID_LENGTH);
      while (this.db.get('SELECT 1 FROM stages WHERE id = ?', [id])) id = randomAlphanumeric(STAGE_ID_LENGTH);
      const arn = this.arnPrefix + id;
      this.db.run('INSERT INTO stages (arn, id, name, created_at) VALUES (?, ?, ?, ?)', [arn, id, input.name ?? '', new Date().toISOString()]);
      this.tags.set(arn, input.tags ?? {});
      return this.get(arn)!;
    });
  }

  get(arn: string): StageRecord | undefined {
    const row = this.db.get('SELECT * FROM stages WHERE arn = ?', [arn]);
    return row && this.toRecord(row);
  }

  getById(id: string): StageRecord | undefined {
    const row = this.db.get('SELECT * FROM stages WHERE id = ?', [id]);
    return row && this.toRecord(row);
  }

  /** Oldest first; ties (same millisecond) are broken by id so the order never changes between calls. */
  list(): StageRecord[] {
    return this.db.all('SELECT * FROM stages ORDER BY created_at, id').map((row) => this.toRecord(row));
  }

  findByName(name: string): StageRecord | undefined {
    const row = this.db.get('SELECT * FROM stages WHERE name = ? ORDER BY created_at, id LIMIT 1', [name]);
    return row && this.toRecord(row);
  }

  update(arn: string, changes: { name: string }): StageRecord | undefined {
    return this.db.transaction(() => (this.db.run('UPDATE stages SET name = ? WHERE arn = ?', [changes.name, arn]) ? this.get(arn) : undefined));
  }

  /** Deletes the stage with its tags and its session history. */
  delete(arn: string): boolean {
    return this.db.transaction(() => {
      if (!this.db.run('DELETE FROM stages WHERE arn = ?', [arn])) return false;
      this.tags.removeAll(arn);
      this.db.run('DELETE FROM participants WHERE session_id IN (SELECT session_id FROM stage_sessions WHERE stage_arn = ?)', [arn]);
      this.db.run('DELETE FROM stage_sessions WHERE stage_arn = ?', [arn]);
      return true;
    });
  }

  private toRecord(row: Row): StageRecord {
    const arn = String(row.arn);
    return {
      arn,
      id: String(row.id),
      name: String(row.name),
      tags: this.tags.get(arn),
      createdAt: String(row.created_at),
      ...(row.active_session_id !== null && { activeSessionId: String(row.active_session_id) }),
    };
  }
}
