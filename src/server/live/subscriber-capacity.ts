import type { LiveStages } from './live-stages.js';

/**
 * Participants of a stage that receive without publishing, whichever way they
 * came: joined on the events channel, or holding (or opening) WHEP sessions
 * without having joined. `STAGE_MAX_SUBSCRIBERS` bounds them together.
 */
export class SubscriberCapacity {
  constructor(
    private readonly live: LiveStages,
    /** Participants of the stage with WHEP sessions, open or being opened. */
    private readonly mediaSubscribers: (stageId: string) => Iterable<string>,
    readonly max: number,
  ) {}

  /** True when admitting the participant would make one subscriber too many; one already counted is never refused. */
  full(stageId: string, participantId: string): boolean {
    const present = this.live.participants(stageId);
    const publishing = new Set(present.filter((p) => p.published).map((p) => p.id));
    const subscribers = new Set([...present.map((p) => p.id), ...this.mediaSubscribers(stageId)].filter((id) => !publishing.has(id)));
    return !subscribers.has(participantId) && subscribers.size >= this.max;
  }
}
