import type { Database } from './database.js';

/** Participants disconnected by DisconnectParticipant: their tokens may never join again. */
export class RevocationStore {
  constructor(private readonly db: Database) {}

  /** `expiresAt` (seconds) is when the last token for the participant expires; the entry is useless after it. */
  revoke(stageArn: string, participantId: string, expiresAt: number): void {
    this.db.transaction(() => {
      this.db.run('DELETE FROM revoked_participants WHERE expires_at < ?', [Math.floor(Date.now() / 1000)]);
      this.db.run(
        `INSERT INTO revoked_participants (stage_arn, participant_id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
        [stageArn, participantId, expiresAt],
      );
    });
  }

  isRevoked(stageArn: string, participantId: string): boolean {
    return this.db.get('SELECT 1 FROM revoked_participants WHERE stage_arn = ? AND participant_id = ?', [stageArn, participantId]) !== undefined;
  }
}
