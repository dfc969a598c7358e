import { type ClientMessage, type ServerMessage, WireFormatError, parseServerMessage } from '../../protocol/index.js';

export class EventsTimeoutError extends Error {
  override name = 'EventsTimeoutError';
}

export interface EventsSocketHandlers {
  message(message: ServerMessage): void;
  /** The socket closed without the client asking. */
  lost(): void;
}

/**
 * The events channel: a WebSocket that speaks `src/protocol/events.ts`. It
 * keeps no stage state; it validates what arrives and hands it on.
 */
export class EventsSocket {
  private socket?: WebSocket;
  private closing = false;

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
        const message = this.parse(event.data);
        if (!message) return;
        if (!settled) settle(() => resolve(message));
        else this.handlers.message(message);
      };
      socket.onclose = () => {
        settle(() => reject(new Error('the events channel closed before joining')));
        if (!this.closing) this.handlers.lost();
      };
    });
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.closing = true;
    this.socket?.close(1000);
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
