import { randomUUID } from 'node:crypto';

/** The `event_name`s IVS sends to EventBridge as "IVS Stage Update". */
export type StageEventName =
  | 'Session Created'
  | 'Session Ended'
  | 'Participant Joined'
  | 'Participant Left'
  | 'Participant Published'
  | 'Participant Unpublished';

/** A stage event for backends, shaped like the EventBridge event IVS emits. */
export interface StageEvent {
  id: string;
  'detail-type': 'IVS Stage Update';
  source: 'aws.ivs';
  time: string;
  resources: [stageArn: string];
  detail: {
    event_name: StageEventName;
    session_id: string;
    participant_id?: string;
    user_id?: string;
  };
}

export type StageEventSink = (event: StageEvent) => void;

export function stageEvent(
  name: StageEventName,
  stageArn: string,
  sessionId: string,
  participant?: { participantId: string; userId?: string },
): StageEvent {
  return {
    id: randomUUID(),
    'detail-type': 'IVS Stage Update',
    source: 'aws.ivs',
    time: new Date().toISOString(),
    resources: [stageArn],
    detail: {
      event_name: name,
      session_id: sessionId,
      ...(participant && { participant_id: participant.participantId }),
      ...(participant?.userId !== undefined && { user_id: participant.userId }),
    },
  };
}
