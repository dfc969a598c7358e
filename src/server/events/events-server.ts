import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_SERVER_RESTART, type ParticipantTokenClaims, type ServerMessage, WireFormatError, parseClientMessage } from '../../protocol/index.js';
import type { EventsLimits } from '../config.js';
import type { LiveStages, ParticipantConnection } from '../live/live-stages.js';
import type { SubscriberCapacity } from '../live/subscriber-capacity.js';
import { requestUrl } from '../http/http-util.js';
import { TokenBucket } from '../rate-limit/token-bucket.js';
import type { TokenLease, TokenLeases } from '../tokens/token-leases.js';

export interface EventsDeps {
  live: LiveStages;
  tokens: { verify(token: string): Promise<ParticipantTokenClaims> };
  /** True when the stage ARN names a stage that exists. */
  stageExists(arn: string): boolean;
  /** Participants who do not publish, beyond which a join is refused with `stage-at-capacity`. */
  capacity: SubscriberCapacity;
  limits: EventsLimits;
  /** Ends a joined participant when its token expires or its signing key is deleted. */
  leases: TokenLeases;
}

const JOIN_TIMEOUT_MS = 10_000;
/** A socket that has not answered the previous ping by the next one is gone: a ghost lasts at most two of these. */
const HEARTBEAT_MS = 4_000;
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Close codes in the private range; the `left`/`error` message before them says why. */
const CLOSE_LEFT = 4000;
const CLOSE_ERROR = 4001;

/**
 * The events channel at `/events`: the first message must be `join` with a
 * participant token; after that the socket carries presence to the client
 * and mute changes from it.
 */
export class EventsServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Sockets that answered the last ping (or connected since it was sent). */
  private readonly alive = new WeakSet<WebSocket>();
  /** Half-open connections (a peer gone without a close) would otherwise hold their participant and its slot for good. */
  private readonly heartbeat = setInterval(() => this.checkLiveness(), HEARTBEAT_MS).unref();

  constructor(private readonly deps: EventsDeps) {
    this.wss.on('connection', (socket) => this.accept(socket));
    // Without a listener, an 'error' from the server object would end the process.
    this.wss.on('error', (error) => console.error('[events] server error:', error.message));
  }

  /** Takes an HTTP upgrade for `/events`; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (requestUrl(req)?.pathname !== '/events') return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    return true;
  }

  /**
   * Tells every client the server is restarting (close code 1012, so the SDK
   * rejoins at once instead of backing off), and settles once they are all
   * gone or `graceMs` passed, when the rest are cut off.
   */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.heartbeat);
    const clients = [...this.wss.clients];
    const gone = clients.map((client) => new Promise((resolve) => client.once('close', resolve)));
    for (const client of clients) client.close(CLOSE_SERVER_RESTART, 'server restarting');
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(gone), grace]);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private checkLiveness(): void {
    for (const socket of this.wss.clients) {
      if (!this.alive.has(socket)) {
        socket.terminate();
        continue;
      }
      this.alive.delete(socket);
      socket.ping();
    }
  }

  private accept(socket: WebSocket): void {
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
    const messages = new TokenBucket(this.deps.limits.messages);
    const send = (message: ServerMessage) => {
      if (socket.readyState !== socket.OPEN) return;
      // A client that stops reading would make the server hold every later event for it.
      if (socket.bufferedAmount > this.deps.limits.sendBufferBytes) return socket.terminate();
      socket.send(JSON.stringify(message));
    };
    const fail = (code: Extract<ServerMessage, { type: 'error' }>['code'], message: string) => {
      send({ type: 'error', code, message });
      socket.close(CLOSE_ERROR, code);
    };
    const timer = setTimeout(() => fail('bad-message', 'no join message received in time'), JOIN_TIMEOUT_MS);
    let joined: { claims: ParticipantTokenClaims; connection: ParticipantConnection; lease: TokenLease } | undefined;
    let joining = false;

    // ws reports a frame it refuses (oversized, bad opcode, unmasked, invalid UTF-8, bad close code)
    // as 'error' after closing with the matching code (1009 for oversize, 1002, 1007 …);
    // unhandled, that error would end the whole process. Only this connection ends.
    socket.on('error', () => socket.terminate());

    socket.on('message', async (data, isBinary) => {
      if (!messages.take()) return fail('rate-limited', `more than ${this.deps.limits.messages.perSecond} messages a second`);
      let message;
      try {
        if (isBinary) throw new WireFormatError('events messages must be text');
        message = parseClientMessage(data.toString());
      } catch (error) {
        return fail('bad-message', (error as Error).message);
      }
      if (message.type === 'join') {
        if (joined || joining) return fail('bad-message', 'join was already sent');
        joining = true;
        clearTimeout(timer);
        joined = await this.join(message.token, socket, send, fail);
        return;
      }
      if (!joined) return fail('bad-message', 'the first message must be join');
      if (message.type === 'ping') return send({ type: 'pong' });
      if (message.type === 'exchange-token') {
        const claims = await this.exchange(joined.claims, message.token, send, fail);
        if (claims) {
          joined.claims = claims;
          this.deps.leases.renew(message.token, claims);
        }
        return;
      }
      this.deps.live.setMuted(joined.claims.topic, joined.claims.jti, message.kind, message.muted);
    });

    socket.on('close', () => {
      clearTimeout(timer);
      if (!joined) return;
      joined.lease.release();
      this.deps.live.leave(joined.claims.topic, joined.claims.jti, joined.connection);
    });
  }

  /** A new token for the joined participant: it must verify and name the same participant on the same stage. */
  private async exchange(
    current: ParticipantTokenClaims,
    token: string,
    send: (message: ServerMessage) => void,
    fail: (code: Extract<ServerMessage, { type: 'error' }>['code'], message: string) => void,
  ): Promise<ParticipantTokenClaims | undefined> {
    let claims: ParticipantTokenClaims;
    try {
      claims = await this.deps.tokens.verify(token);
    } catch (error) {
      fail('token-exchange-failed', `the new token was refused: ${(error as Error).message}`);
      return undefined;
    }
    if (claims.jti !== current.jti || claims.resource !== current.resource) {
      fail('token-exchange-failed', 'the new token is for another participant or stage');
      return undefined;
    }
    const self = this.deps.live.updateClaims(claims);
    if (!self) return undefined;
    send({ type: 'token-exchanged', self });
    return claims;
  }

  private async join(
    token: string,
    socket: WebSocket,
    send: (message: ServerMessage) => void,
    fail: (code: Extract<ServerMessage, { type: 'error' }>['code'], message: string) => void,
  ) {
    let claims: ParticipantTokenClaims;
    try {
      claims = await this.deps.tokens.verify(token);
    } catch (error) {
      const code = (error as { code?: string }).code;
      fail(code === 'expired' ? 'token-expired' : code === 'revoked' ? 'participant-disconnected' : 'token-invalid', (error as Error).message);
      return undefined;
    }
    if (!this.deps.stageExists(claims.resource)) {
      fail('stage-not-found', 'the stage does not exist');
      return undefined;
    }
    // A participant joins without publishing, so it counts against the subscriber limit.
    if (this.deps.capacity.full(claims.topic, claims.jti)) {
      fail('stage-at-capacity', `the stage already has ${this.deps.capacity.max} participants who do not publish`);
      return undefined;
    }
    if (socket.readyState !== socket.OPEN) return undefined;
    const connection: ParticipantConnection = {
      send,
      end(reason) {
        send({ type: 'left', reason });
        socket.close(CLOSE_LEFT, reason);
      },
    };
    const lease = this.deps.leases.hold(token, claims, (why) =>
      why === 'expired' ? fail('token-expired', 'the participant token expired; exchange it for a new one before it does') : connection.end('participant-disconnected'),
    );
    const { self, participants } = this.deps.live.join(claims, connection);
    send({ type: 'joined', self, participants });
    return { claims, connection, lease };
  }
}
