import mitt from 'mitt';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Listener = (...args: any[]) => void;
type Payload = unknown[];

/**
 * mitt carries one payload per event; the IVS API calls listeners with
 * positional arguments. This adapter keeps mitt as the core and spreads the
 * payload, remembering each wrapper so `off` removes exactly what `on` added.
 */
export class PositionalEmitter {
  private readonly bus = mitt<Record<string, Payload>>();
  private readonly wrappers = new Map<string, Map<Listener, (payload: Payload) => void>>();

  on(event: string, listener: Listener): this {
    let byListener = this.wrappers.get(event);
    if (!byListener) this.wrappers.set(event, (byListener = new Map()));
    if (byListener.has(listener)) return this;
    const wrapper = (payload: Payload) => {
      // An app listener that throws must not stop the SDK halfway through a state change.
      try {
        listener(...payload);
      } catch (error) {
        reportError(error);
      }
    };
    byListener.set(listener, wrapper);
    this.bus.on(event, wrapper);
    return this;
  }

  off(event: string, listener: Listener): this {
    const wrapper = this.wrappers.get(event)?.get(listener);
    if (wrapper) {
      this.bus.off(event, wrapper);
      this.wrappers.get(event)!.delete(listener);
    }
    return this;
  }

  removeAllListeners(event?: string): this {
    if (event === undefined) {
      this.bus.all.clear();
      this.wrappers.clear();
    } else {
      this.bus.off(event);
      this.wrappers.delete(event);
    }
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    this.bus.emit(event, args);
  }
}
