import { randomBytes } from 'node:crypto';
import type { RTCPeerConnection } from 'werift';
import type { SessionOwner } from './session-owner.js';

/** How long a peer may take to connect, and to come back after a disconnect, before its session ends. */
export interface PeerTimeouts {
  connectMs: number;
  reconnectMs: number;
}

export const DEFAULT_PEER_TIMEOUTS: Readonly<PeerTimeouts> = { connectMs: 30_000, reconnectMs: 10_000 };

/**
 * Lifetime of one WHIP or WHEP session around its peer connection: ends it when
 * the peer fails, never connects, or stays disconnected, and releases the
 * connection, timers and listeners exactly once.
 */
export abstract class PeerSession {
  readonly id = randomBytes(16).toString('base64url');
  private closed = false;
  private pcClosed = Promise.resolve();
  private connected = false;
  private timer?: NodeJS.Timeout;
  private readonly closeListeners = new Set<() => void>();
  private readonly stopWatching: (() => void)[];

  constructor(
    readonly owner: SessionOwner,
    protected readonly pc: RTCPeerConnection,
    private readonly timeouts: PeerTimeouts,
  ) {
    this.timer = setTimeout(() => void this.close(), timeouts.connectMs);
    this.stopWatching = [
      pc.connectionStateChange.subscribe((state) => this.onConnectionState(state)).unSubscribe,
      // A peer that closes sends a DTLS close_notify; werift closes the DTLS
      // transport but keeps reporting the connection as connected until ICE
      // consent expires (~30 s), so watch the transports directly.
      ...pc.dtlsTransports.map(
        (dtls) => dtls.onStateChange.subscribe((state) => (state === 'closed' || state === 'failed') && void this.close()).unSubscribe,
      ),
    ];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls `listener` once when the session ends; returns a function that cancels it. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Ends the session; the promise settles once the peer connection released its sockets. */
  close(): Promise<void> {
    if (this.closed) return this.pcClosed;
    this.closed = true;
    clearTimeout(this.timer);
    for (const stop of this.stopWatching) stop();
    this.release();
    this.pcClosed = this.pc.close().catch(() => {});
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    return this.pcClosed;
  }

  /** The peer connected for the first time (DTLS is up, media can be sent). */
  protected abstract onConnected(): void;

  /** Frees what the subclass holds; called once, before the peer connection closes. */
  protected abstract release(): void;

  private onConnectionState(state: string): void {
    if (this.closed) return;
    if (state === 'connected') {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (!this.connected) {
        this.connected = true;
        this.onConnected();
      }
    } else if (state === 'failed' || state === 'closed') {
      void this.close();
    } else if (state === 'disconnected' && this.connected) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.close(), this.timeouts.reconnectMs);
    }
  }
}
