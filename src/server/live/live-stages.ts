import type { MediaKind, ParticipantTokenClaims, ServerLeaveReason, ServerMessage, WireParticipant } from '../../protocol/index.js';

/** One participant's events connection, as seen by the presence registry. */
export interface ParticipantConnection {
  send(message: ServerMessage): void;
  /** Tells the client why it is leaving, then closes. */
  end(reason: ServerLeaveReason): void;
}

interface Presence {
  claims: ParticipantTokenClaims;
  /** Undefined for a participant present only through media (a WHIP client without the events channel). */
  connection?: ParticipantConnection;
  kinds: MediaKind[];
  audioMuted: boolean;
  videoMuted: boolean;
}

export type LeftListener = (stageId: string, participantId: string) => void;

/** What backends follow (session history, webhooks): a participant came, went, or started or stopped publishing. */
export type PresenceEvent =
  | { type: 'joined' | 'published' | 'unpublished'; claims: ParticipantTokenClaims }
  | { type: 'left'; claims: ParticipantTokenClaims; stageEmpty: boolean };
export type PresenceListener = (event: PresenceEvent) => void;

/**
 * Who is on each stage right now, and their publish and mute state. The one
 * place presence lives: the events channel and the media layer both report
 * here, and every change is broadcast to the stage's other participants.
 */
export class LiveStages {
  private readonly stages = new Map<string, Map<string, Presence>>();
  private readonly leftListeners = new Set<LeftListener>();
  private readonly claimsListeners = new Set<(claims: ParticipantTokenClaims) => void>();
  private readonly presenceListeners = new Set<PresenceListener>();

  /** Registers a connection; a second connection with the same token ends the first (`token-reused`). */
  join(claims: ParticipantTokenClaims, connection: ParticipantConnection): { self: WireParticipant; participants: WireParticipant[] } {
    const stage = this.stageMap(claims.topic);
    const existing = stage.get(claims.jti);
    if (existing?.connection) existing.connection.end('token-reused');
    const presence: Presence = existing ?? { claims, kinds: [], audioMuted: false, videoMuted: false };
    presence.claims = claims;
    presence.connection = connection;
    stage.set(claims.jti, presence);
    const self = toWire(presence);
    if (!existing) {
      this.notify({ type: 'joined', claims });
      this.broadcast(claims.topic, claims.jti, { type: 'participant-joined', participant: self });
    }
    const participants = [...stage.values()].filter((p) => p !== presence).map(toWire);
    return { self, participants };
  }

  /** Removes a participant if `connection` is still its current one (a replaced connection leaves nothing behind). */
  leave(stageId: string, participantId: string, connection?: ParticipantConnection): void {
    const stage = this.stages.get(stageId);
    const presence = stage?.get(participantId);
    if (!stage || !presence || presence.connection !== connection) return;
    stage.delete(participantId);
    if (stage.size === 0) this.stages.delete(stageId);
    this.notify({ type: 'left', claims: presence.claims, stageEmpty: stage.size === 0 });
    this.broadcast(stageId, participantId, { type: 'participant-left', participantId });
    for (const listener of this.leftListeners) listener(stageId, participantId);
  }

  /** The participant exchanged its token: new capabilities, user id or attributes, same identity. */
  updateClaims(claims: ParticipantTokenClaims): WireParticipant | undefined {
    const presence = this.stages.get(claims.topic)?.get(claims.jti);
    if (!presence) return undefined;
    presence.claims = claims;
    this.update(claims.topic, presence);
    for (const listener of this.claimsListeners) listener(claims);
    return toWire(presence);
  }

  /** Media layer: the participant now publishes `kinds` ([] when it stopped). */
  setPublished(claims: ParticipantTokenClaims, kinds: MediaKind[]): void {
    const stage = this.stageMap(claims.topic);
    let presence = stage.get(claims.jti);
    if (!presence) {
      if (kinds.length === 0) return;
      presence = { claims, kinds: [], audioMuted: false, videoMuted: false };
      stage.set(claims.jti, presence);
      this.notify({ type: 'joined', claims });
      this.setKinds(presence, kinds);
      this.broadcast(claims.topic, claims.jti, { type: 'participant-joined', participant: toWire(presence) });
      return;
    }
    this.setKinds(presence, kinds);
    if (kinds.length === 0 && !presence.connection) {
      this.leave(claims.topic, claims.jti, undefined);
      return;
    }
    this.update(claims.topic, presence);
  }

  /** Media layer: a new session replaces the participant's publication; it counts as unpublished until that one connects. */
  restartPublication(claims: ParticipantTokenClaims): void {
    const presence = this.stages.get(claims.topic)?.get(claims.jti);
    if (!presence || presence.kinds.length === 0) return;
    this.setKinds(presence, []);
    this.update(claims.topic, presence);
  }

  setMuted(stageId: string, participantId: string, kind: MediaKind, muted: boolean): void {
    const presence = this.stages.get(stageId)?.get(participantId);
    const field = kind === 'audio' ? 'audioMuted' : 'videoMuted';
    // A repeated state is not news: rebroadcasting it would let one client make the server message everyone.
    if (!presence || presence[field] === muted) return;
    presence[field] = muted;
    this.update(stageId, presence);
  }

  /** Ends every connection of a stage, e.g. when it is deleted. */
  endStage(stageId: string, reason: ServerLeaveReason): void {
    const stage = this.stages.get(stageId);
    if (!stage) return;
    for (const [id, presence] of [...stage]) {
      presence.connection?.end(reason);
      this.leave(stageId, id, presence.connection);
    }
  }

  /** Ends one participant's connection (DisconnectParticipant). Returns false when it was not present. */
  disconnect(stageId: string, participantId: string, reason: ServerLeaveReason): boolean {
    const presence = this.stages.get(stageId)?.get(participantId);
    if (!presence) return false;
    presence.connection?.end(reason);
    this.leave(stageId, participantId, presence.connection);
    return true;
  }

  get(stageId: string, participantId: string): WireParticipant | undefined {
    const presence = this.stages.get(stageId)?.get(participantId);
    return presence && toWire(presence);
  }

  participants(stageId: string): WireParticipant[] {
    return [...(this.stages.get(stageId)?.values() ?? [])].map(toWire);
  }

  /** Called after a participant exchanged its token, so the media layer can enforce the new capabilities. */
  onClaimsChanged(listener: (claims: ParticipantTokenClaims) => void): () => void {
    this.claimsListeners.add(listener);
    return () => this.claimsListeners.delete(listener);
  }

  /** Called after a participant left, so the media layer can close its sessions. */
  onLeft(listener: LeftListener): () => void {
    this.leftListeners.add(listener);
    return () => this.leftListeners.delete(listener);
  }

  /** Called on every join, leave and publish change; see PresenceEvent. */
  onPresence(listener: PresenceListener): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  private setKinds(presence: Presence, kinds: MediaKind[]): void {
    const was = presence.kinds.length > 0;
    presence.kinds = kinds;
    if (was !== kinds.length > 0) this.notify({ type: was ? 'unpublished' : 'published', claims: presence.claims });
  }

  private notify(event: PresenceEvent): void {
    for (const listener of this.presenceListeners) listener(event);
  }

  private update(stageId: string, presence: Presence): void {
    this.broadcast(stageId, presence.claims.jti, { type: 'participant-updated', participant: toWire(presence) });
  }

  private broadcast(stageId: string, fromId: string, message: ServerMessage): void {
    for (const [id, presence] of this.stages.get(stageId) ?? []) {
      if (id !== fromId) presence.connection?.send(message);
    }
  }

  private stageMap(stageId: string): Map<string, Presence> {
    let stage = this.stages.get(stageId);
    if (!stage) this.stages.set(stageId, (stage = new Map()));
    return stage;
  }
}

function toWire(p: Presence): WireParticipant {
  const { claims } = p;
  const capabilities: WireParticipant['capabilities'] = [];
  if (claims.capabilities.allow_publish) capabilities.push('publish');
  if (claims.capabilities.allow_subscribe) capabilities.push('subscribe');
  return {
    id: claims.jti,
    userId: claims.user_id,
    attributes: claims.attributes,
    capabilities,
    published: p.kinds.length > 0,
    kinds: [...p.kinds],
    audioMuted: p.audioMuted,
    videoMuted: p.videoMuted,
  };
}
