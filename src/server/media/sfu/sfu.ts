import type { ParticipantTokenClaims } from '../../../protocol/index.js';
import type { LiveStages } from '../../live/live-stages.js';
import { JitteredTicker } from './jittered-ticker.js';
import { type MediaPath, chooseMediaPath } from './media-path.js';
import type { SrtpInput } from './srtp-input.js';
import { DEFAULT_PEER_TIMEOUTS, type PeerTimeouts } from './peer-session.js';
import { PublisherSession } from './publisher-session.js';
import { type BitrateLimits, DEFAULT_BITRATE_LIMITS } from './receive-estimator.js';
import { isParticipant, sessionOwner } from './session-owner.js';
import { type CongestionTimings, DEFAULT_CONGESTION_TIMINGS } from './subscriber-congestion.js';
import { SubscriberSession, type SubscriberSettings } from './subscriber-session.js';

/** Mean time between a subscriber stream's sender reports; each interval is drawn from 0.5–1.5 times it (RFC 3550 §6.3.1), as werift and browsers do. */
const REPORT_INTERVAL_MS = 1000;
/** How late a report may be: the resolution of the reports' shared timer. */
const REPORT_TICK_MS = 50;

export interface SfuOptions {
  /** Presence registry: told what each participant publishes, and who left. */
  live: LiveStages;
  /** Bounds of the REMB estimate sent to publishers. */
  bitrate?: Partial<BitrateLimits>;
  timeouts?: Partial<PeerTimeouts>;
  /** How media is decrypted on arrival and protected and sent on; defaults to the native path when its addon is built. */
  mediaPath?: MediaPath;
  /** Timing of the per-subscriber congestion control. */
  congestion?: Partial<CongestionTimings>;
}

/** The SFU is shutting down; nothing was created. */
export class SfuClosedError extends Error {
  override name = 'SfuClosedError';
}

/** The same subscriber already has a subscription to the same publisher being set up. */
export class SubscriptionPendingError extends Error {
  override name = 'SubscriptionPendingError';
}

/** The publisher of a subscription ended while it was being set up. */
export class PublisherGoneError extends Error {
  override name = 'PublisherGoneError';
}

type Session = PublisherSession | SubscriberSession;

/**
 * The embedded SFU: every WHIP (publisher) and WHEP (subscriber) session on
 * this server. One publisher session per participant and stage, and one
 * subscriber session per subscriber and publisher: a new one replaces the
 * previous one once it is answered, so a failed offer loses nothing.
 *
 * Presence: a participant counts as publishing its negotiated kinds once its
 * WHIP peer connection is up, and stops when its session ends.
 * When a participant leaves the stage, all its sessions end.
 */
export class Sfu {
  private readonly publishers = new Map<string, PublisherSession>();
  private readonly subscribers = new Map<string, SubscriberSession>();
  /** Subscriptions being answered, by pairKey. */
  private readonly pendingSubscriptions = new Map<string, { stageId: string; subscriberId: string }>();
  private readonly live: LiveStages;
  private readonly limits: BitrateLimits;
  private readonly timeouts: PeerTimeouts;
  private readonly subscriberSettings: SubscriberSettings;
  private readonly srtpInput: SrtpInput;
  private readonly stopListening: (() => void)[];
  private closed = false;

  constructor(options: SfuOptions) {
    this.live = options.live;
    this.limits = { ...DEFAULT_BITRATE_LIMITS, ...options.bitrate };
    this.timeouts = { ...DEFAULT_PEER_TIMEOUTS, ...options.timeouts };
    const mediaPath = options.mediaPath ?? chooseMediaPath();
    this.srtpInput = mediaPath.input;
    this.subscriberSettings = {
      timeouts: this.timeouts,
      srtpOutput: mediaPath.output,
      congestion: { ...DEFAULT_CONGESTION_TIMINGS, ...options.congestion },
      senderReports: new JitteredTicker(REPORT_INTERVAL_MS, REPORT_TICK_MS),
    };
    this.stopListening = [
      this.live.onLeft((stageId, participantId) => this.closeParticipant(stageId, participantId)),
      this.live.onClaimsChanged((claims) => this.enforceCapabilities(claims)),
    ];
  }

  /** Answers a WHIP offer from the participant of `claims`. Throws OfferError for an offer it cannot answer. */
  async publish(claims: ParticipantTokenClaims, token: string, offerSdp: string): Promise<{ session: PublisherSession; answerSdp: string }> {
    this.assertOpen();
    const opened = await PublisherSession.open(
      sessionOwner(claims, token),
      offerSdp,
      {
        onPublishing: (kinds) => this.live.setPublished(claims, kinds),
        // A replaced session keeps the participant present; its subscribers must subscribe to the successor.
        onClosed: (replaced) => (replaced ? this.live.restartPublication(claims) : this.live.setPublished(claims, [])),
      },
      this.limits,
      this.timeouts,
      this.srtpInput,
    );
    if (this.closed) {
      await opened.session.close();
      throw new SfuClosedError('the server is shutting down');
    }
    void this.publisherOf(claims.topic, claims.jti)?.replace();
    this.register(this.publishers, opened.session);
    return opened;
  }

  /** Answers a WHEP offer subscribing the participant of `claims` to `publisher`. */
  async subscribe(
    claims: ParticipantTokenClaims,
    token: string,
    publisher: PublisherSession,
    offerSdp: string,
    options: { video: boolean },
  ): Promise<{ session: SubscriberSession; answerSdp: string }> {
    this.assertOpen();
    const key = pairKey(claims.topic, claims.jti, publisher.owner.claims.jti);
    if (this.pendingSubscriptions.has(key)) throw new SubscriptionPendingError('a subscription to this participant is already being set up');
    this.pendingSubscriptions.set(key, { stageId: claims.topic, subscriberId: claims.jti });
    let opened: { session: SubscriberSession; answerSdp: string };
    try {
      opened = await SubscriberSession.open(sessionOwner(claims, token), publisher, offerSdp, options.video, this.subscriberSettings);
    } finally {
      this.pendingSubscriptions.delete(key);
    }
    if (this.closed || publisher.isClosed) {
      await opened.session.close();
      throw this.closed ? new SfuClosedError('the server is shutting down') : new PublisherGoneError('the participant stopped publishing');
    }
    for (const previous of this.subscribers.values()) {
      if (previous.publisherId === publisher.owner.claims.jti && isParticipant(previous.owner, claims.topic, claims.jti)) void previous.close();
    }
    this.register(this.subscribers, opened.session);
    return opened;
  }

  /** Participants of a stage with subscriber sessions, open or being answered. */
  subscriberIds(stageId: string): Set<string> {
    const ids = new Set<string>();
    for (const session of this.subscribers.values()) if (session.owner.claims.topic === stageId) ids.add(session.owner.claims.jti);
    for (const pending of this.pendingSubscriptions.values()) if (pending.stageId === stageId) ids.add(pending.subscriberId);
    return ids;
  }

  /** The live publisher session of a participant on a stage. */
  publisherOf(stageId: string, participantId: string): PublisherSession | undefined {
    for (const session of this.publishers.values()) {
      if (isParticipant(session.owner, stageId, participantId)) return session;
    }
    return undefined;
  }

  publisherSession(id: string): PublisherSession | undefined {
    return this.publishers.get(id);
  }

  subscriberSession(id: string): SubscriberSession | undefined {
    return this.subscribers.get(id);
  }

  /** Ends every session a participant opened, e.g. because it left the stage. */
  closeParticipant(stageId: string, participantId: string): void {
    for (const session of this.sessions()) {
      if (isParticipant(session.owner, stageId, participantId)) void session.close();
    }
  }

  /** A participant whose new token lost a capability loses the sessions that needed it. */
  private enforceCapabilities(claims: ParticipantTokenClaims): void {
    for (const session of this.sessions()) {
      if (!isParticipant(session.owner, claims.topic, claims.jti)) continue;
      const allowed = session instanceof PublisherSession ? claims.capabilities.allow_publish : claims.capabilities.allow_subscribe;
      if (!allowed) void session.close();
    }
  }

  /** Ends every session and refuses new ones; settles once all peer connections are closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stopListening) stop();
    await Promise.all(this.sessions().map((session) => session.close()));
  }

  private sessions(): Session[] {
    return [...this.publishers.values(), ...this.subscribers.values()];
  }

  private register<S extends Session>(registry: Map<string, S>, session: S): void {
    registry.set(session.id, session);
    session.onClose(() => registry.delete(session.id));
  }

  private assertOpen(): void {
    if (this.closed) throw new SfuClosedError('the server is shutting down');
  }
}

function pairKey(stageId: string, subscriberId: string, publisherId: string): string {
  return JSON.stringify([stageId, subscriberId, publisherId]);
}
