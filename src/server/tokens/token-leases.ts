import { decodeProtectedHeader } from 'jose';
import type { ParticipantTokenClaims } from '../../protocol/index.js';

/** Why a lease ended: its token's `exp` passed, or the public key that signed it was deleted. */
export type LeaseEnd = 'expired' | 'key-deleted';

export interface TokenLease {
  /** Stops watching; the holder ended on its own. */
  release(): void;
}

interface Lease {
  stageId: string;
  participantId: string;
  kid?: string;
  exp: number;
  timer?: NodeJS.Timeout;
  onEnd(why: LeaseEnd): void;
}

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A token is checked when a connection starts; this keeps it checked while the
 * connection lasts. Each events socket and media session holds a lease on the
 * token it came with, which ends it at the token's `exp` or when its signing
 * key is deleted. A participant's leases follow its newest token, so
 * `exchange-token` extends its media sessions too.
 */
export class TokenLeases {
  private readonly leases = new Set<Lease>();

  hold(token: string, claims: ParticipantTokenClaims, onEnd: (why: LeaseEnd) => void): TokenLease {
    const lease: Lease = { stageId: claims.topic, participantId: claims.jti, exp: claims.exp, kid: keyIdOf(token), onEnd };
    this.leases.add(lease);
    this.arm(lease);
    return { release: () => this.drop(lease) };
  }

  /** The participant has a new token: every lease it holds now lasts as long as that one. */
  renew(token: string, claims: ParticipantTokenClaims): void {
    const kid = keyIdOf(token);
    for (const lease of this.leases) {
      if (lease.stageId !== claims.topic || lease.participantId !== claims.jti) continue;
      lease.exp = claims.exp;
      lease.kid = kid;
      this.arm(lease);
    }
  }

  /** Ends every connection whose token the deleted key signed. */
  keyDeleted(keyArn: string): void {
    for (const lease of [...this.leases]) if (lease.kid === keyArn) this.end(lease, 'key-deleted');
  }

  close(): void {
    for (const lease of this.leases) clearTimeout(lease.timer);
    this.leases.clear();
  }

  private arm(lease: Lease): void {
    clearTimeout(lease.timer);
    const delay = lease.exp * 1000 - Date.now();
    lease.timer = setTimeout(() => (delay > MAX_TIMER_MS ? this.arm(lease) : this.end(lease, 'expired')), Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    lease.timer.unref();
  }

  private end(lease: Lease, why: LeaseEnd): void {
    if (!this.drop(lease)) return;
    lease.onEnd(why);
  }

  private drop(lease: Lease): boolean {
    clearTimeout(lease.timer);
    return this.leases.delete(lease);
  }
}

function keyIdOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
}
