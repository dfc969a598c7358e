import { type CryptoKey, importSPKI } from 'jose';
import type { PublicKeyStore } from '../store/public-key-store.js';
import { TOKEN_ALGORITHM } from './signing-key.js';

/**
 * Imported public keys as CryptoKeys, by ARN. The store is asked on every
 * lookup, so a deleted key stops verifying at once; only the parsing is cached.
 */
export class ImportedKeys {
  private readonly parsed = new Map<string, { fingerprint: string; key: CryptoKey }>();

  constructor(private readonly store: PublicKeyStore) {}

  async get(arn: string): Promise<CryptoKey | undefined> {
    const record = this.store.get(arn);
    if (!record) {
      this.parsed.delete(arn);
      return undefined;
    }
    const cached = this.parsed.get(arn);
    if (cached?.fingerprint === record.fingerprint) return cached.key;
    const key = await importSPKI(record.material, TOKEN_ALGORITHM);
    this.parsed.set(arn, { fingerprint: record.fingerprint, key });
    return key;
  }
}
