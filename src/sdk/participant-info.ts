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

  /** Takes new identity details (after a token exchange); true when the user id or attributes changed. */
  applyMetadata(userId: string | undefined, attributes: Record<string, string>, capabilities: Iterable<ParticipantCapability>): boolean {
    const changed = userId !== this.userId || !sameRecord(attributes, this.attributes);
    this.userId = userId;
    this.attributes = { ...attributes };
    this.capabilities = new Set(capabilities);
    return changed;
  }

  static fromClaims(claims: ParticipantTokenClaims): StageParticipantInfo {
    return new StageParticipantInfo(claims.jti, true, claims.user_id, { ...claims.attributes }, capabilitiesOf(claims));
  }

  static fromWire(wire: WireParticipant): StageParticipantInfo {
    const info = new StageParticipantInfo(wire.id, false, wire.userId, { ...wire.attributes }, new Set(wire.capabilities));
    info.isPublishing = wire.published;
    info.audioMuted = wire.audioMuted;
    info.videoStopped = wire.videoMuted;
    return info;
  }
}

export function capabilitiesOf(claims: ParticipantTokenClaims): Set<ParticipantCapability> {
  const caps = new Set<ParticipantCapability>();
  if (claims.capabilities.allow_publish) caps.add('publish');
  if (claims.capabilities.allow_subscribe) caps.add('subscribe');
  return caps;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
