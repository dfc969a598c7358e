import { type ClientMessage, type ServerMessage, WireFormatError, parseServerMessage } from '../../protocol/index.js';

export class EventsTimeoutError extends Error {
  override name = 'EventsTimeoutError';
}

export interface EventsSocketHandlers {
  message(message: ServerMessage): void;
  /** The socket closed without the client asking, or the server stopped answering. */
  lost(): void;
}

/** A joined socket pings this often; browsers see no WebSocket ping frames, so liveness is checked with messages. */
const PING_INTERVAL_MS = 4000;
/** Silence from the server (not even a pong) for this long means the connection is gone, even if TCP has not noticed. */
const SILENCE_LIMIT_MS = 10_000;

/**
 * The events channel: a WebSocket that speaks `src/protocol/events.ts`. It
 * keeps no stage state; it validates what arrives and hands it on.
 */
export class EventsSocket {
  private socket?: WebSocket;
  private closing = false;
  private heartbeat?: ReturnType<typeof setInterval>;
  private heardAt = 0;

  constructor(
    private readonly url: string,
    private readonly handlers: EventsSocketHandlers,
  ) {}

  /** Opens the socket and sends `join`; resolves with the server's first answer (`joined` or `error`). */
  open(token: string, timeoutMs = 10000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url);
      this.socket = socket;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        settle(() => reject(new EventsTimeoutError('timed out waiting for the events channel')));
        socket.close();
      }, timeoutMs);
      socket.onopen = () => this.send({ type: 'join', token });
      socket.onmessage = (event) => {
        this.heardAt = Date.now();
        const message = this.parse(event.data);
        if (!message) return;
        if (!settled) {
          settle(() => resolve(message));
          if (message.type === 'joined') this.startHeartbeat();
        } else if (message.type !== 'pong') this.handlers.message(message);
      };
      socket.onclose = () => {
        settle(() => reject(new Error('the events channel closed before joining')));
        this.lose();
      };
    });
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.socket?.close(1000);
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.heardAt > SILENCE_LIMIT_MS) {
        // A close handshake cannot finish on a dead connection: stop listening and report it now.
        if (this.socket) this.socket.onclose = null;
        this.socket?.close();
        this.lose();
        return;
      }
      this.send({ type: 'ping' });
    }, PING_INTERVAL_MS);
  }

  private lose(): void {
    clearInterval(this.heartbeat);
    if (this.closing) return;
    this.closing = true;
    this.handlers.lost();
  }

  private parse(data: unknown): ServerMessage | undefined {
    try {
      if (typeof data !== 'string') throw new WireFormatError('events message must be text');
      return parseServerMessage(data);
    } catch (error) {
      console.warn('[ivs-stage] dropped an events message that does not fit the protocol:', error);
      return undefined;
    }
  }
}
