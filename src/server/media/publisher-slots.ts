import type { ParticipantTokenClaims } from '../../protocol/index.js';
import { HttpError } from '../http/http-util.js';
import type { LiveStages } from '../live/live-stages.js';

/** IVS allows 12 publishers on a stage; the 13th publish is refused. */
export const MAX_PUBLISHERS = 12;

/**
 * Who publishes on each stage, counting those whose WHIP offer is being
 * answered or whose peer is still connecting: counting only connected
 * publishers would let simultaneous offers all pass the limit.
 */
export class PublisherSlots {
  /** stage id → participant id → open claims (a participant may replace its own publication). */
  private readonly claims = new Map<string, Map<string, number>>();

  constructor(private readonly live: LiveStages) {}

  /** Takes a slot for the participant, or throws 503 `stage-at-capacity`; returns the function that gives it back. */
  claim(claims: ParticipantTokenClaims): () => void {
    const { topic: stageId, jti } = claims;
    const stage = this.claims.get(stageId) ?? new Map<string, number>();
    const publishers = new Set([...this.live.participants(stageId).filter((p) => p.published).map((p) => p.id), ...stage.keys()]);
    publishers.delete(jti);
    if (publishers.size >= MAX_PUBLISHERS) {
      // The SDK reads the code before the colon, as it does on the events channel.
      throw new HttpError(503, `stage-at-capacity: the stage already has ${MAX_PUBLISHERS} publishers`);
    }
    stage.set(jti, (stage.get(jti) ?? 0) + 1);
    this.claims.set(stageId, stage);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (stage.get(jti) ?? 1) - 1;
      if (left > 0) stage.set(jti, left);
      else stage.delete(jti);
      if (stage.size === 0 && this.claims.get(stageId) === stage) this.claims.delete(stageId);
    };
  }
}
