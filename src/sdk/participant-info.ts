import type { ParticipantTokenClaims, WireParticipant } from '../protocol/index.js';

export type ParticipantCapability = 'publish' | 'subscribe';

/** What the SDK knows about one participant; the same object is passed to every event for that participant. */
export class StageParticipantInfo {
  /** True while the participant has media on the stage. */
  isPublishing = false;
  audioMuted = false;
  videoStopped = false;
  /** Free-form data an application may hang on the participant. */
  userInfo: Record<string, unknown> = {};

  constructor(
    readonly id: string,
    readonly isLocal: boolean,
    public userId: string | undefined,
    public attributes: Record<string, string>,
    public capabilities: Set<ParticipantCapability>,
  ) {}

  static fromClaims(claims: ParticipantTokenClaims): StageParticipantInfo {
    const caps = new Set<ParticipantCapability>();
    if (claims.capabilities.allow_publish) caps.add('publish');
    if (claims.capabilities.allow_subscribe) caps.add('subscribe');
    return new StageParticipantInfo(claims.jti, true, claims.user_id, { ...claims.attributes }, caps);
  }

  static fromWire(wire: WireParticipant): StageParticipantInfo {
    const info = new StageParticipantInfo(wire.id, false, wire.userId, { ...wire.attributes }, new Set(wire.capabilities));
    info.isPublishing = wire.published;
    info.audioMuted = wire.audioMuted;
    info.videoStopped = wire.videoMuted;
    return info;
  }
}
