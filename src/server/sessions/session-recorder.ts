import type { LiveStages, PresenceEvent } from '../live/live-stages.js';
import type { SessionStore } from '../store/session-store.js';
import { type StageEventSink, stageEvent } from '../webhooks/stage-event.js';

/**
 * Keeps the session history (ListStageSessions, ListParticipants) in step with
 * who is on each stage, and reports each change to `notify` once it is recorded.
 */
export function recordSessions(live: LiveStages, sessions: SessionStore, notify: StageEventSink = () => {}): () => void {
  return live.onPresence((event) => {
    try {
      record(sessions, event, notify);
    } catch (error) {
      // History is for reporting: failing to write it must not stop anyone joining or leaving.
      console.error('[sessions] could not record', event.type, error);
    }
  });
}

/** Ends the sessions still open (see SessionStore.endAll) and reports them, and who was in them, as ended now. */
export function endLeftoverSessions(sessions: SessionStore, notify: StageEventSink): void {
  for (const { session, connected } of sessions.endAll()) {
    for (const p of connected) notify(stageEvent('Participant Left', session.stageArn, session.sessionId, p));
    notify(stageEvent('Session Ended', session.stageArn, session.sessionId));
  }
}

function record(sessions: SessionStore, event: PresenceEvent, notify: StageEventSink): void {
  const { resource, jti, user_id, attributes } = event.claims;
  const participant = { participantId: jti, userId: user_id };
  switch (event.type) {
    case 'joined': {
      const change = sessions.joined(resource, { participantId: jti, userId: user_id, attributes });
      if (change?.started) notify(stageEvent('Session Created', resource, change.sessionId));
      if (change) notify(stageEvent('Participant Joined', resource, change.sessionId, participant));
      return;
    }
    case 'published': {
      const sessionId = sessions.published(resource, jti);
      if (sessionId) notify(stageEvent('Participant Published', resource, sessionId, participant));
      return;
    }
    case 'unpublished': {
      const sessionId = sessions.activeSession(resource);
      if (sessionId) notify(stageEvent('Participant Unpublished', resource, sessionId, participant));
      return;
    }
    case 'left': {
      const change = sessions.left(resource, jti, event.stageEmpty);
      if (change) notify(stageEvent('Participant Left', resource, change.sessionId, participant));
      if (change?.ended) notify(stageEvent('Session Ended', resource, change.sessionId));
      return;
    }
  }
}
