import type { Database } from './database.js';

/** Tags of any resource (stages, public keys), by ARN. */
export class TagStore {
  constructor(private readonly db: Database) {}

  get(arn: string): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const row of this.db.all('SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key', [arn])) {
      // defineProperty keeps a key named __proto__ an ordinary entry.
      Object.defineProperty(tags, String(row.key), { value: String(row.value), enumerable: true, writable: true, configurable: true });
    }
    return tags;
  }

  /** Adds or overwrites the given tags, keeping the others. */
  set(arn: string, tags: Record<string, string>): void {
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(tags)) {
        this.db.run('INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value', [arn, key, value]);
      }
    });
  }

  remove(arn: string, keys: string[]): void {
    this.db.transaction(() => {
      for (const key of keys) this.db.run('DELETE FROM tags WHERE resource_arn = ? AND key = ?', [arn, key]);
    });
  }

  removeAll(arn: string): void {
    this.db.run('DELETE FROM tags WHERE resource_arn = ?', [arn]);
  }
}
