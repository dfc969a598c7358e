import type { StageEvent } from '../webhooks/stage-event.js';
import type { OutboxEntry, WebhookOutbox } from '../webhooks/webhook-sender.js';
import type { Database } from './database.js';

/**
 * The webhook's queue, in the database: an event is written when it is
 * queued and deleted once its delivery ended, so neither a restart nor a
 * crash loses one.
 */
export class WebhookOutboxStore implements WebhookOutbox {
  constructor(private readonly db: Database) {}

  push(event: StageEvent, keep: number, spare?: number): number {
    return this.db.transaction(() => {
      this.db.run('INSERT INTO webhook_outbox (event, created_at) VALUES (?, ?)', [JSON.stringify(event), new Date().toISOString()]);
      return this.db.run(
        'DELETE FROM webhook_outbox WHERE id IN (SELECT id FROM webhook_outbox WHERE id IS NOT ? ORDER BY id DESC LIMIT -1 OFFSET ?)',
        [spare ?? null, keep],
      );
    });
  }

  first(): OutboxEntry | undefined {
    const row = this.db.get('SELECT id, event, attempts, next_attempt_at FROM webhook_outbox ORDER BY id LIMIT 1');
    return row && { id: Number(row.id), event: JSON.parse(String(row.event)), attempts: Number(row.attempts), nextAttemptAt: Number(row.next_attempt_at) };
  }

  postpone(id: number, attempts: number, nextAttemptAt: number): void {
    this.db.run('UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?', [attempts, nextAttemptAt, id]);
  }

  remove(id: number): void {
    this.db.run('DELETE FROM webhook_outbox WHERE id = ?', [id]);
  }

  size(): number {
    return Number(this.db.get('SELECT count(*) AS n FROM webhook_outbox')?.n ?? 0);
  }
}
