import { randomAlphanumeric } from '../random-id.js';
import type { Database, Row } from './database.js';
import type { TagStore } from './tag-store.js';

export interface PublicKeyRecord {
  arn: string;
  name: string;
  /** PEM, as imported. */
  material: string;
  fingerprint: string;
  tags: Record<string, string>;
  createdAt: string;
}

const KEY_ID_LENGTH = 12;

/** Public keys applications imported to sign their own participant tokens. */
export class PublicKeyStore {
  constructor(
    private readonly db: Database,
    private readonly tags: TagStore,
    /** Everything before the key id, e.g. `arn:aws:ivs:us-east-1:000000000000:public-key/`. */
    private readonly arnPrefix: string,
  ) {}

  /** Returns undefined when a key with the same fingerprint is already imported. */
  create(input: { name?: string; material: string; fingerprint: string; tags?: Record<string, string> }): PublicKeyRecord | undefined {
    return this.db.transaction(() => {
      if (this.db.get('SELECT 1 FROM public_keys WHERE fingerprint = ?', [input.fingerprint])) return undefined;
      let arn = this.arnPrefix + randomAlphanumeric(KEY_ID_LENGTH);
      while (this.db.get('SELECT 1 FROM public_keys WHERE arn = ?', [arn])) arn = this.arnPrefix + randomAlphanumeric(KEY_ID_LENGTH);
      this.db.run('INSERT INTO public_keys (arn, name, material, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)', [
        arn,
        input.name ?? '',
        input.material,
        input.fingerprint,
        new Date().toISOString(),
      ]);
      this.tags.set(arn, input.tags ?? {});
      return this.get(arn)!;
    });
  }

  get(arn: string): PublicKeyRecord | undefined {
    const row = this.db.get('SELECT * FROM public_keys WHERE arn = ?', [arn]);
    return row && this.toRecord(row);
  }

  /** Oldest first. */
  list(): PublicKeyRecord[] {
    return this.db.all('SELECT * FROM public_keys ORDER BY created_at, arn').map((row) => this.toRecord(row));
  }

  delete(arn: string): boolean {
    return this.db.transaction(() => {
      if (!this.db.run('DELETE FROM public_keys WHERE arn = ?', [arn])) return false;
      this.tags.removeAll(arn);
      return true;
    });
  }

  private toRecord(row: Row): PublicKeyRecord {
    const arn = String(row.arn);
    return {
      arn,
      name: String(row.name),
      material: String(row.material),
      fingerprint: String(row.fingerprint),
      tags: this.tags.get(arn),
      createdAt: String(row.created_at),
    };
  }
}
