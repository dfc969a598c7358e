import { randomAlphanumeric } from '../random-id.js';
import type { Database, Row } from './database.js';

export interface StageSessionRecord {
  sessionId: string;
  stageArn: string;
  /** ISO 8601. */
  startTime: string;
  endTime?: string;
}

export interface ParticipantRecord {
  sessionId: string;
  participantId: string;
  userId?: string;
  attributes: Record<string, string>;
  firstJoinTime: string;
  state: 'CONNECTED' | 'DISCONNECTED';
  /** True once the participant published at any time during the session. */
  published: boolean;
}

export interface JoinedParticipant {
  participantId: string;
  userId?: string;
  attributes: Record<string, string>;
}

/** The session a join or leave happened in, and whether it started or ended the session. */
export interface SessionChange {
  sessionId: string;
  started?: boolean;
  ended?: boolean;
}

/** Same shape as IVS session ids: `st-` and random letters and digits. */
const SESSION_ID_LENGTH = 13;

/**
 * Stage sessions and who took part in each. A session starts when the first
 * participant joins a stage and ends when the last one leaves.
 */
export class SessionStore {
  constructor(private readonly db: Database) {}

  /** Records a join, starting a session if none is active (undefined when the stage is gone). */
  joined(stageArn: string, participant: JoinedParticipant, now = new Date().toISOString()): SessionChange | undefined {
    return this.db.transaction(() => {
      const stage = this.db.get('SELECT active_session_id FROM stages WHERE arn = ?', [stageArn]);
      if (!stage) return undefined;
      let sessionId = stage.active_session_id === null ? undefined : String(stage.active_session_id);
      const started = !sessionId;
      if (!sessionId) {
        sessionId = `st-${randomAlphanumeric(SESSION_ID_LENGTH)}`;
        this.db.run('INSERT INTO stage_sessions (session_id, stage_arn, start_time) VALUES (?, ?, ?)', [sessionId, stageArn, now]);
        this.db.run('UPDATE stages SET active_session_id = ? WHERE arn = ?', [sessionId, stageArn]);
      }
      this.db.run(
        `INSERT INTO participants (session_id, participant_id, user_id, attributes, first_join_time, connected, published)
         VALUES (?, ?, ?, ?, ?, 1, 0)
         ON CONFLICT DO UPDATE SET connected = 1, user_id = excluded.user_id, attributes = excluded.attributes`,
        [sessionId, participant.participantId, participant.userId ?? null, JSON.stringify(participant.attributes), now],
      );
      return { sessionId, started };
    });
  }

  /** Marks the participant as publishing in the stage's active session; returns that session's id. */
  published(stageArn: string, participantId: string): string | undefined {
    const sessionId = this.activeSession(stageArn);
    if (sessionId) this.db.run('UPDATE participants SET published = 1 WHERE session_id = ? AND participant_id = ?', [sessionId, participantId]);
    return sessionId;
  }

  /** Records a leave; `lastOne` ends the session. */
  left(stageArn: string, participantId: string, lastOne: boolean, now = new Date().toISOString()): SessionChange | undefined {
    return this.db.transaction(() => {
      const sessionId = this.activeSession(stageArn);
      if (!sessionId) return undefined;
      this.db.run('UPDATE participants SET connected = 0 WHERE session_id = ? AND participant_id = ?', [sessionId, participantId]);
      if (lastOne) this.end(sessionId, now);
      return { sessionId, ended: lastOne };
    });
  }

  /** The id of the stage's session in progress. */
  activeSession(stageArn: string): string | undefined {
    const id = this.db.get('SELECT active_session_id FROM stages WHERE arn = ?', [stageArn])?.active_session_id;
    return id === null || id === undefined ? undefined : String(id);
  }

  /** After a restart nobody is connected: closes what was left open, and returns it with who was still connected. */
  endAll(now = new Date().toISOString()): { session: StageSessionRecord; connected: ParticipantRecord[] }[] {
    return this.db.transaction(() => {
      const open = this.db.all('SELECT * FROM stage_sessions WHERE end_time IS NULL').map(toSession);
      const ended = open.map((session) => ({ session, connected: this.participants(session.sessionId).filter((p) => p.state === 'CONNECTED') }));
      for (const { session } of ended) this.end(session.sessionId, now);
      return ended;
    });
  }

  /** Newest first, as IVS lists them. */
  sessions(stageArn: string): StageSessionRecord[] {
    return this.db.all('SELECT * FROM stage_sessions WHERE stage_arn = ? ORDER BY start_time DESC, session_id DESC', [stageArn]).map(toSession);
  }

  session(stageArn: string, sessionId: string): StageSessionRecord | undefined {
    const row = this.db.get('SELECT * FROM stage_sessions WHERE stage_arn = ? AND session_id = ?', [stageArn, sessionId]);
    return row && toSession(row);
  }

  /** In order of first join. */
  participants(sessionId: string): ParticipantRecord[] {
    return this.db.all('SELECT * FROM participants WHERE session_id = ? ORDER BY first_join_time, participant_id', [sessionId]).map(toParticipant);
  }

  participant(sessionId: string, participantId: string): ParticipantRecord | undefined {
    const row = this.db.get('SELECT * FROM participants WHERE session_id = ? AND participant_id = ?', [sessionId, participantId]);
    return row && toParticipant(row);
  }

  private end(sessionId: string, now: string): void {
    this.db.run('UPDATE stage_sessions SET end_time = ? WHERE session_id = ?', [now, sessionId]);
    this.db.run('UPDATE participants SET connected = 0 WHERE session_id = ?', [sessionId]);
    this.db.run('UPDATE stages SET active_session_id = NULL WHERE active_session_id = ?', [sessionId]);
  }
}

function toSession(row: Row): StageSessionRecord {
  return {
    sessionId: String(row.session_id),
    stageArn: String(row.stage_arn),
    startTime: String(row.start_time),
    ...(row.end_time !== null && { endTime: String(row.end_time) }),
  };
}

function toParticipant(row: Row): ParticipantRecord {
  return {
    sessionId: String(row.session_id),
    participantId: String(row.participant_id),
    ...(row.user_id !== null && { userId: String(row.user_id) }),
    attributes: JSON.parse(String(row.attributes)) as Record<string, string>,
    firstJoinTime: String(row.first_join_time),
    state: row.connected ? 'CONNECTED' : 'DISCONNECTED',
    published: Boolean(row.published),
  };
}
