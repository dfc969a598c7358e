import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StageListener } from '../context/stage-handle.js';

/** Anything with the Stage's `on`/`off` shape: a `Stage` or a `StageHandle`. */
export interface StageEventSource {
  on(event: string, listener: StageListener): unknown;
  off(event: string, listener: StageListener): unknown;
}

export interface StageEventsControllerOptions {
  /** Event names to follow. */
  events: readonly string[];
  /** The emitter to follow at first; can be changed later through `target`. */
  target?: StageEventSource;
  /**
   * Called with each event's name and positional arguments before the host
   * is asked to update. Return `false` to skip the update (e.g. an event about
   * another participant).
   */
  onEvent?: (event: string, args: unknown[]) => boolean | void;
}

/**
 * Follows a Stage's events on behalf of an element: listens while the host
 * is connected, stops when it is disconnected, and requests a host update for
 * each event it receives. Listeners are created once, so `off` always
 * removes what `on` added.
 */
export class StageEventsController implements ReactiveController {
  private readonly listeners = new Map<string, StageListener>();
  private source?: StageEventSource;
  private attached?: StageEventSource;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: StageEventsControllerOptions,
  ) {
    for (const event of options.events) {
      this.listeners.set(event, (...args: unknown[]) => {
        if (options.onEvent?.(event, args) === false) return;
        host.requestUpdate();
      });
    }
    this.source = options.target;
    host.addController(this);
  }

  /** The emitter followed; changing it moves the listeners over. */
  get target(): StageEventSource | undefined {
    return this.source;
  }

  set target(source: StageEventSource | undefined) {
    if (source === this.source) return;
    this.source = source;
    this.sync();
    this.host.requestUpdate();
  }

  /** True while listeners are attached to a target. */
  get listening(): boolean {
    return this.attached !== undefined;
  }

  hostConnected(): void {
    this.connected = true;
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  private sync(): void {
    const wanted = this.connected ? this.source : undefined;
    if (wanted === this.attached) return;
    if (this.attached) {
      for (const [event, fn] of this.listeners) this.attached.off(event, fn);
    }
    this.attached = wanted;
    if (wanted) {
      for (const [event, fn] of this.listeners) wanted.on(event, fn);
    }
  }
}
