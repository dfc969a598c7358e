import type { LiveStages, PresenceEvent } from '../live/live-stages.js';
import type { SessionStore } from '../store/session-store.js';

/** Keeps the session history (ListStageSessions, ListParticipants) in step with who is on each stage. */
export function recordSessions(live: LiveStages, sessions: SessionStore): () => void {
  return live.onPresence((event) => {
    try {
      record(sessions, event);
    } catch (error) {
      // History is for reporting: failing to write it must not stop anyone joining or leaving.
      console.error('[sessions] could not record', event.type, error);
    }
  });
}

function record(sessions: SessionStore, event: PresenceEvent): void {
  const { resource, jti, user_id, attributes } = event.claims;
  switch (event.type) {
    case 'joined':
      sessions.joined(resource, { participantId: jti, userId: user_id, attributes });
      return;
    case 'published':
      sessions.published(resource, jti);
      return;
    case 'left':
      sessions.left(resource, jti, event.stageEmpty);
      return;
  }
}
