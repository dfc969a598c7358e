import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { stageContext } from '../context/stage-context.js';
import type { StageHandle } from '../context/stage-handle.js';
import { StageEventsController } from './stage-events-controller.js';

export interface StageConsumerOptions {
  /** Handle events to follow (SDK event names and/or `HANDLE_STAGE_CHANGED`). */
  events: readonly string[];
  /** See {@link StageEventsController}; return `false` to skip the host update. */
  onEvent?: (event: string, args: unknown[]) => boolean | void;
  /** Called when the element finds, changes or loses its stage (moved, removed). */
  onHandleChange?: (next: StageHandle | undefined, previous: StageHandle | undefined) => void;
}

type Host = ReactiveControllerHost & HTMLElement;

/** The shape of @lit/context's `context-provider` event (not exported by the package). */
interface ProviderEvent extends Event {
  context?: unknown;
  contextTarget?: Element;
}

/**
 * Gives an element the {@link StageHandle} of its nearest `<ivs-stage>` and
 * follows that handle's events while the element is connected.
 *
 * If no stage answers when the element connects (the `<ivs-stage>` tag is
 * defined, i.e. upgraded, after its children), the controller waits for a
 * `context-provider` announcement from an ancestor and asks again, so the
 * order in which tags are defined does not matter. It only listens while it
 * is still waiting.
 */
export class StageConsumer implements ReactiveController {
  private current?: StageHandle;
  private readonly follower: StageEventsController;
  private readonly consumer: ContextConsumer<typeof stageContext, Host>;
  private waitingOn?: Document;

  constructor(
    private readonly host: Host,
    private readonly options: StageConsumerOptions,
  ) {
    this.follower = new StageEventsController(host, { events: options.events, onEvent: options.onEvent });
    this.consumer = new ContextConsumer(host, {
      context: stageContext,
      subscribe: true,
      callback: (handle) => this.setHandle(handle),
    });
    host.addController(this);
  }

  /** The stage handle, while the element is inside a connected `<ivs-stage>`. */
  get handle(): StageHandle | undefined {
    return this.current;
  }

  hostConnected(): void {
    // The context consumer (added first) has already asked; a provider that
    // exists has answered synchronously.
    if (!this.current) this.waitForProvider();
  }

  hostDisconnected(): void {
    this.stopWaiting();
    this.setHandle(undefined);
  }

  private setHandle(handle: StageHandle | undefined): void {
    if (handle === this.current) return;
    const previous = this.current;
    this.current = handle;
    if (handle) this.stopWaiting();
    this.follower.target = handle;
    this.options.onHandleChange?.(handle, previous);
  }

  private waitForProvider(): void {
    const doc = this.host.ownerDocument;
    if (this.waitingOn === doc) return;
    this.stopWaiting();
    this.waitingOn = doc;
    doc.addEventListener('context-provider', this.onProvider);
  }

  private stopWaiting(): void {
    this.waitingOn?.removeEventListener('context-provider', this.onProvider);
    this.waitingOn = undefined;
  }

  private readonly onProvider = (event: Event): void => {
    const { context, contextTarget } = event as ProviderEvent;
    if (context !== stageContext || this.current) return;
    const provider = contextTarget ?? event.composedPath()[0];
    if (!(provider instanceof Node) || !composedContains(provider, this.host)) return;
    // Ask again: disconnecting the consumer drops nothing (it has no value yet).
    this.consumer.hostDisconnected();
    this.consumer.hostConnected();
  };
}

/** Whether `node` is inside `ancestor`, crossing shadow roots. */
function composedContains(ancestor: Node, node: Node): boolean {
  for (let n: Node | null = node; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) {
    if (n === ancestor) return true;
  }
  return false;
}
