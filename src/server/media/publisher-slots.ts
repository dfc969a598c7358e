import type { ParticipantTokenClaims } from '../../protocol/index.js';
import { HttpError } from '../http/http-util.js';
import type { LiveStages } from '../live/live-stages.js';

/** IVS allows 12 publishers on a stage; the 13th publish is refused. */
export const MAX_PUBLISHERS = 12;
/** A participant's live session and the one replacing it: more at once would only be offers racing each other. */
const SESSIONS_PER_PARTICIPANT = 2;

/**
 * Who publishes on each stage, counting those whose WHIP offer is being
 * answered or whose peer is still connecting: counting only connected
 * publishers would let simultaneous offers all pass the limit.
 */
export class PublisherSlots {
  /** stage id → participant id → open claims (a participant may replace its own publication). */
  private readonly claims = new Map<string, Map<string, number>>();

  constructor(private readonly live: LiveStages) {}

  /**
   * Takes a slot for the participant, or throws 503 `stage-at-capacity` (or
   * 409 while its previous offer is still being answered); returns the function that gives it back.
   */
  claim(claims: ParticipantTokenClaims): () => void {
    const { topic: stageId, jti } = claims;
    const stage = this.claims.get(stageId) ?? new Map<string, number>();
    const publishers = new Set([...this.live.participants(stageId).filter((p) => p.published).map((p) => p.id), ...stage.keys()]);
    publishers.delete(jti);
    if (publishers.size >= MAX_PUBLISHERS) {
      // The SDK reads the code before the colon, as it does on the events channel.
      throw new HttpError(503, `stage-at-capacity: the stage already has ${MAX_PUBLISHERS} publishers`);
    }
    const held = stage.get(jti) ?? 0;
    if (held >= SESSIONS_PER_PARTICIPANT) throw new HttpError(409, 'a new publication of this participant is already being set up');
    stage.set(jti, held + 1);
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
