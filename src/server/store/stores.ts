import { join } from 'node:path';
import { Database } from './database.js';
import { PublicKeyStore } from './public-key-store.js';
import { RevocationStore } from './revocation-store.js';
import { SessionStore } from './session-store.js';
import { StageStore } from './stage-store.js';
import { TagStore } from './tag-store.js';
import { WebhookOutboxStore } from './webhook-outbox-store.js';

export interface Stores {
  db: Database;
  stages: StageStore;
  tags: TagStore;
  publicKeys: PublicKeyStore;
  sessions: SessionStore;
  revocations: RevocationStore;
  webhookOutbox: WebhookOutboxStore;
}

export const DATABASE_FILE = 'stage.sqlite';

/** Opens (creating on first start) the database at `path`, by default `dataDir/stage.sqlite`. */
export function openStores(options: { path: string; region: string; accountId: string }): Stores {
  const db = Database.open(options.path);
  const tags = new TagStore(db);
  const arnPrefix = `arn:aws:ivs:${options.region}:${options.accountId}:`;
  return {
    db,
    stages: new StageStore(db, tags, `${arnPrefix}stage/`),
    tags,
    publicKeys: new PublicKeyStore(db, tags, `${arnPrefix}public-key/`),
    sessions: new SessionStore(db),
    revocations: new RevocationStore(db),
    webhookOutbox: new WebhookOutboxStore(db),
  };
}

export const defaultDatabasePath = (dataDir: string) => join(dataDir, DATABASE_FILE);
