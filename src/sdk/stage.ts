import { type ParticipantTokenClaims, type ServerMessage, type WireParticipant, decodeParticipantToken } from '../protocol/index.js';
import { desiredPublication, desiredSubscription } from './desired-state.js';
import { webRtcEngine } from './engine/media-engine.js';
import { type Listener, PositionalEmitter } from './emitter.js';
import { StageConnectionState, StageEvents, StageLeftReason, StageParticipantPublishState } from './enums.js';
import { StageError, StageErrorCategory, StageErrorCode } from './errors.js';
import { LocalPublication } from './local-publication.js';
import { StageParticipantInfo, capabilitiesOf } from './participant-info.js';
import { RemoteParticipant } from './remote-participant.js';
import type { EventsSocket } from './signal/events-socket.js';
import { canceledError, joinEvents, serverError } from './signal/join-events.js';
import { DEFAULT_RECONNECT_TIMEOUT_MS, reconnectDelayMs } from './signal/reconnect-schedule.js';
import type { StageStrategy } from './strategy.js';
import { jitterBufferTargetMs } from './subscribe-configuration.js';


/**
 * A stage: join it with a participant token, describe what you want with a
 * strategy, and follow what happens through events.
 */
type Joined = Extract<ServerMessage, { type: 'joined' }>;

/**
 * Options of a Stage. `reconnect` is this SDK's own: how long the stage keeps
 * trying to rejoin after it lost the server (default 30 s) before it leaves
 * with an ERROR.
 */
export interface StageConfiguration {
  reconnect?: { timeoutMs?: number };
}

/** How long one join waits for the server's answer. */
const JOIN_TIMEOUT_MS = 10_000;
/** The shortest wait of a reconnection attempt, however close the deadline. */
const MIN_ATTEMPT_MS = 1000;

/** Claims that name the participant and its stage: a token exchange may not change them. */
const IMMUTABLE_CLAIMS = ['jti', 'resource', 'topic', 'events_url', 'whip_url'] as const;

export class Stage {
  private claims: ParticipantTokenClaims;
  private token: string;
  private readonly emitter = new PositionalEmitter();
  private readonly remotes = new Map<string, RemoteParticipant>();
  private readonly local: StageParticipantInfo;
  private strategy: StageStrategy;
  private state = StageConnectionState.DISCONNECTED;
  private socket?: EventsSocket;
  private publication?: LocalPublication;
  /** Operations run one at a time, in call order, so join/leave/refresh never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped by leave(): an operation that started before it ends with CANCELED. */
  private generation = 0;
  /** A join waiting for the events channel; leave() closes it at once instead of waiting. */
  private pendingSocket?: EventsSocket;
  private pendingExchange?: { resolve(message: ServerMessage): void };
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  /** When the current reconnection gives up (ms since the epoch). */
  private reconnectDeadline = 0;
  private readonly reconnectTimeoutMs: number;

  constructor(token: string, strategy: StageStrategy, configuration: StageConfiguration = {}) {
    this.claims = decodeToken(token, StageErrorCode.TOKEN_MALFORMED, StageErrorCategory.JOIN_ERROR);
    this.token = token;
    this.local = StageParticipantInfo.fromClaims(this.claims);
    this.strategy = strategy;
    this.reconnectTimeoutMs = configuration.reconnect?.timeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
  }

  /** Disconnects from the stage; an own bound property so it can be passed around. A join in progress ends with CANCELED. */
  readonly leave = (): Promise<void> => {
    this.generation++;
    this.pendingSocket?.close();
    return this.enqueue(() => this.teardown(StageLeftReason.USER_INITIATED));
  };

  /** Asks the strategy again and applies only what changed; an own bound property. */
  readonly refreshStrategy = (): void => {
    if (this.state !== StageConnectionState.CONNECTED) return;
    void this.enqueue(() => this.reconcile());
  };

  async join(): Promise<void> {
    const generation = this.generation;
    return this.enqueue(() => this.connect(generation));
  }

  /**
   * Swaps in a new token for the same participant without leaving: new
   * capabilities, user id or attributes apply at once. A token for another
   * participant or stage is refused (TOKEN_EXCHANGE_REQUEST_INVALID); if the
   * server refuses it, the stage is left (`failed-exchange`).
   */
  async exchangeToken(token: string): Promise<void> {
    const claims = decodeToken(token, StageErrorCode.TOKEN_EXCHANGE_REQUEST_INVALID, StageErrorCategory.JOIN_ERROR);
    const changed = IMMUTABLE_CLAIMS.filter((claim) => claims[claim] !== this.claims[claim]);
    if (changed.length) {
      throw new StageError(
        StageErrorCode.TOKEN_EXCHANGE_REQUEST_INVALID,
        StageErrorCategory.JOIN_ERROR,
        `the new token must keep ${changed.join(', ')} of the current one`,
      );
    }
    return this.enqueue(() => this.exchange(token, claims));
  }

  replaceStrategy(strategy: StageStrategy): void {
    this.strategy = strategy;
    this.refreshStrategy();
  }

  on(event: string, listener: Listener): this {
    this.emitter.on(event, listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.emitter.off(event, listener);
    return this;
  }

  removeAllListeners(event?: string): this {
    this.emitter.removeAllListeners(event);
    return this;
  }

  /** Emits any event name, the SDK's own or the application's. */
  emit(event: string, ...args: unknown[]): void {
    this.emitter.emit(event, ...args);
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setState(state: StageConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, state);
  }

  /** `generation` is the one join() was called in: a leave() since then cancels this join. */
  private async connect(generation: number): Promise<void> {
    if (generation !== this.generation) throw canceledError();
    if (this.state === StageConnectionState.CONNECTED) return;
    if (this.claims.exp * 1000 <= Date.now()) {
      throw new StageError(StageErrorCode.TOKEN_EXPIRED, StageErrorCategory.JOIN_ERROR, 'participant token has expired');
    }
    this.setState(StageConnectionState.CONNECTING);
    let joined: Joined;
    try {
      joined = await this.openEvents(generation);
    } catch (error) {
      this.setState(StageConnectionState.DISCONNECTED);
      throw error;
    }
    this.publication = this.newPublication();
    this.setState(StageConnectionState.CONNECTED);
    this.emit(StageEvents.STAGE_PARTICIPANT_JOINED, this.local);
    for (const wire of joined.participants) this.addRemote(wire);
    // The strategy is applied after join resolves, in the same queue.
    void this.enqueue(() => this.reconcile());
  }

  private async openEvents(generation: number, timeoutMs?: number): Promise<Joined> {
    const { socket, joined } = await joinEvents(
      this.claims.events_url,
      this.token,
      {
        message: (message) => this.receive(message),
        // Not queued: an operation waiting on the lost server must not delay noticing it is lost.
        lost: () => this.connectionLost(),
      },
      () => generation !== this.generation,
      (pending) => (this.pendingSocket = pending),
      timeoutMs,
    );
    this.socket = socket;
    return joined;
  }

  private newPublication(): LocalPublication {
    return new LocalPublication(
      this.local,
      this.claims.whip_url,
      () => this.token,
      (event, ...args) => this.emit(event, ...args),
      (message) => this.socket?.send(message),
      () => this.refreshStrategy(),
      webRtcEngine,
    );
  }

  /** Exchange replies settle the waiting exchange directly: it holds the queue that other messages wait in. */
  private receive(message: ServerMessage): void {
    const exchange = this.pendingExchange;
    if (exchange && (message.type === 'token-exchanged' || (message.type === 'error' && message.code === 'token-exchange-failed'))) {
      this.pendingExchange = undefined;
      exchange.resolve(message);
      return;
    }
    void this.enqueue(() => this.handle(message));
  }

  private async exchange(token: string, claims: ParticipantTokenClaims): Promise<void> {
    if (this.state !== StageConnectionState.CONNECTED || !this.socket) {
      throw new StageError(StageErrorCode.TOKEN_EXCHANGE_FAILED, StageErrorCategory.JOIN_ERROR, 'exchangeToken needs a joined stage');
    }
    const reply = await new Promise<ServerMessage>((resolve) => {
      this.pendingExchange = { resolve };
      this.socket!.send({ type: 'exchange-token', token });
    });
    if (reply.type !== 'token-exchanged') {
      await this.teardown(StageLeftReason.FAILED_EXCHANGE);
      throw new StageError(StageErrorCode.TOKEN_EXCHANGE_FAILED, StageErrorCategory.JOIN_ERROR, reply.type === 'error' ? reply.message : 'token exchange failed');
    }
    this.token = token;
    this.claims = claims;
    if (this.local.applyMetadata(claims.user_id, claims.attributes, capabilitiesOf(claims))) {
      this.emit(StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED, this.local);
    }
    await this.reconcile();
  }

  private async reconcile(): Promise<void> {
    if (this.state !== StageConnectionState.CONNECTED) return;
    try {
      await this.publication!.reconcile(desiredPublication(this.strategy, this.local));
    } catch (error) {
      this.reportError(error, StageErrorCategory.PUBLISH_ERROR);
    }
    await Promise.all([...this.remotes.values()].map((remote) => this.reconcileRemote(remote)));
  }

  private async reconcileRemote(remote: RemoteParticipant): Promise<void> {
    try {
      await remote.reconcile(desiredSubscription(this.strategy, this.local, remote.info), () =>
        jitterBufferTargetMs(this.strategy.subscribeConfiguration?.(remote.info), this.local.isPublishing, remote.info.id),
      );
    } catch (error) {
      this.reportError(error, StageErrorCategory.SUBSCRIBE_ERROR);
    }
  }

  private async handle(message: ServerMessage): Promise<void> {
    if (this.state !== StageConnectionState.CONNECTED) return;
    switch (message.type) {
      case 'participant-joined': {
        const remote = this.remotes.get(message.participant.id) ?? this.addRemote(message.participant);
        return this.reconcileRemote(remote);
      }
      case 'participant-updated': {
        const remote = this.remotes.get(message.participant.id);
        if (!remote) return;
        remote.update(message.participant);
        return this.reconcileRemote(remote);
      }
      case 'participant-left':
        return this.removeRemote(message.participantId);
      case 'left':
        return this.teardown(message.reason as StageLeftReason);
      case 'error':
        this.reportError(serverError(message), StageErrorCategory.JOIN_ERROR);
        // The server closes the socket after an error; rejoining with an expired token would only fail again.
        if (message.code === 'token-expired') return this.teardown(StageLeftReason.UNKNOWN);
        return;
      case 'joined':
        return;
    }
  }

  private addRemote(wire: WireParticipant): RemoteParticipant {
    const remote = new RemoteParticipant(
      wire,
      this.claims.whip_url,
      () => this.token,
      (event, ...args) => this.emit(event, ...args),
      () => this.refreshStrategy(),
      webRtcEngine,
    );
    this.remotes.set(wire.id, remote);
    this.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remote.info);
    if (remote.info.isPublishing) {
      this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, remote.info, StageParticipantPublishState.PUBLISHED);
    }
    return remote;
  }

  private removeRemote(id: string): void {
    const remote = this.remotes.get(id);
    if (!remote) return;
    this.remotes.delete(id);
    remote.unsubscribe();
    this.emit(StageEvents.STAGE_PARTICIPANT_LEFT, remote.info);
  }

  /**
   * The events channel dropped. The server ended our media with it, so streams
   * go now; the stage then rejoins on its own (ERRORED → CONNECTING →
   * CONNECTED) and applies the strategy again, or leaves after the last attempt.
   */
  private connectionLost(): void {
    if (this.state !== StageConnectionState.CONNECTED) return;
    this.socket = undefined;
    this.setState(StageConnectionState.ERRORED);
    this.emit(StageEvents.ERROR, new StageError(StageErrorCode.FAILED, StageErrorCategory.JOIN_ERROR, 'lost the connection to the stage; reconnecting'));
    this.publication?.unpublish();
    for (const remote of this.remotes.values()) remote.unsubscribe();
    this.reconnectDeadline = Date.now() + this.reconnectTimeoutMs;
    this.scheduleReconnect(0);
  }

  /** False when the next attempt would start past the deadline. */
  private scheduleReconnect(attempt: number): boolean {
    const delay = reconnectDelayMs(attempt);
    if (Date.now() + delay >= this.reconnectDeadline) return false;
    const generation = this.generation;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.enqueue(() => this.reconnect(generation, attempt));
    }, delay);
    return true;
  }

  private async reconnect(generation: number, attempt: number): Promise<void> {
    if (generation !== this.generation || this.state !== StageConnectionState.ERRORED) return;
    this.setState(StageConnectionState.CONNECTING);
    let joined: Joined;
    try {
      // An attempt that hangs (a server that accepts but does not answer) must not outlast the deadline.
      joined = await this.openEvents(generation, Math.min(JOIN_TIMEOUT_MS, Math.max(MIN_ATTEMPT_MS, this.reconnectDeadline - Date.now())));
    } catch (error) {
      if (generation !== this.generation) return;
      const code = (error as StageError).code;
      if (code === StageErrorCode.STAGE_DELETED) return this.teardown(StageLeftReason.STAGE_DELETED);
      const retryable = code === StageErrorCode.FAILED || code === StageErrorCode.TIMEOUT;
      this.setState(StageConnectionState.ERRORED);
      if (retryable && this.scheduleReconnect(attempt + 1)) return;
      this.reportError(error, StageErrorCategory.JOIN_ERROR);
      return this.teardown(StageLeftReason.UNKNOWN);
    }
    this.publication = this.newPublication();
    this.setState(StageConnectionState.CONNECTED);
    const present = new Set(joined.participants.map((wire) => wire.id));
    for (const id of [...this.remotes.keys()]) if (!present.has(id)) this.removeRemote(id);
    for (const wire of joined.participants) {
      const remote = this.remotes.get(wire.id);
      if (remote) remote.update(wire);
      else this.addRemote(wire);
    }
    await this.reconcile();
  }

  /** Releases everything, emitting removals for every stream and participant, then STAGE_LEFT. */
  private async teardown(reason: StageLeftReason): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.state === StageConnectionState.DISCONNECTED && !this.socket) return;
    this.pendingExchange?.resolve({ type: 'error', code: 'token-exchange-failed', message: 'the stage was left during the exchange' });
    this.pendingExchange = undefined;
    this.socket?.close();
    this.socket = undefined;
    for (const id of [...this.remotes.keys()]) this.removeRemote(id);
    this.publication?.unpublish();
    this.publication = undefined;
    this.setState(StageConnectionState.DISCONNECTED);
    this.emit(StageEvents.STAGE_LEFT, reason);
  }

  private reportError(error: unknown, category: StageErrorCategory): void {
    const stageError = error instanceof StageError ? error : new StageError(StageErrorCode.FAILED, category, String(error), { cause: error });
    this.emit(StageEvents.ERROR, stageError);
  }
}

function decodeToken(token: unknown, code: StageErrorCode, category: StageErrorCategory): ParticipantTokenClaims {
  try {
    return decodeParticipantToken(token);
  } catch (error) {
    throw new StageError(code, category, `invalid participant token: ${(error as Error).message}`);
  }
}
