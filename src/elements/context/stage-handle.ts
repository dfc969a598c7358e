import { StageConnectionState, StageEvents, StageParticipantPublishState } from '../../sdk/index.js';
import type {
  LocalStageStream,
  Stage,
  StageParticipantInfo,
  StageParticipantPublishState as PublishState,
  StageStream,
  SubscribeType,
} from '../../sdk/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StageListener = (...args: any[]) => void;

/**
 * Emitted by a {@link StageHandle} (with no arguments) when it starts
 * following another `Stage` object, or none. Not an SDK event.
 */
export const HANDLE_STAGE_CHANGED = 'ivsHandleStageChanged';

/**
 * Emitted by a {@link StageHandle} (with no arguments) when the markup that
 * feeds the strategy or the layout changed: a local stream, a subscribe rule
 * or a placed participant tile was added, removed or changed. Not an SDK event.
 */
export const HANDLE_MARKUP_CHANGED = 'ivsHandleMarkupChanged';

/** Every event name a handle emits: the SDK's events plus the handle's own. */
export const ALL_HANDLE_EVENTS: readonly string[] = [...Object.values(StageEvents), HANDLE_STAGE_CHANGED, HANDLE_MARKUP_CHANGED];

/** What the handle knows about one participant: its info and the streams currently available. */
export interface ParticipantEntry {
  readonly info: StageParticipantInfo;
  readonly streams: readonly StageStream[];
}

/**
 * Something that offers local media to the stage, i.e. an `<ivs-local-stream>`.
 * The handle only reads it, when the strategy is queried.
 */
export interface LocalStreamSource {
  /** Whether the source wants to be published. */
  readonly publish: boolean;
  /** Its streams; empty while the devices are not captured yet. */
  readonly streams: readonly LocalStageStream[];
}

/**
 * A rule that decides the subscription to the participants it applies to,
 * i.e. an `<ivs-subscribe-rule>`. Rules are elements: the first one in
 * document order that applies wins.
 */
export interface SubscribeRuleSource extends Element {
  /** Whether the rule is about this participant. */
  appliesTo(participant: StageParticipantInfo): boolean;
  /** What to receive from the participants it applies to. */
  readonly subscribeType: SubscribeType;
}

/** An `<ivs-participant>`; those placed by the page (not by the stage itself) are left out of the automatic grid. */
export interface PlacedTile extends Element {
  /** The participant the tile shows, once it is on the stage. */
  readonly participant: StageParticipantInfo | undefined;
}

/**
 * The one object an `<ivs-stage>` provides through context, for its whole
 * lifetime. The `Stage` behind it changes (a new token gives a new `Stage`),
 * the handle does not: descendants keep one reference and follow the events
 * it re-emits, instead of waiting for a new context value.
 *
 * It also keeps a small model built from those events (participants and
 * their streams, connection state), so that an element connected late can
 * render the current state without having seen the earlier events, and it
 * collects the local stream sources the owner's strategy publishes.
 */
export class StageHandle {
  private current?: Stage;
  private state: StageConnectionState = StageConnectionState.DISCONNECTED;
  private localState: PublishState = StageParticipantPublishState.NOT_PUBLISHED;
  private readonly entries = new Map<string, ParticipantEntry>();
  private readonly sources = new Set<LocalStreamSource>();
  private readonly rules = new Set<SubscribeRuleSource>();
  private readonly tiles = new Set<PlacedTile>();
  private readonly listeners = new Map<string, Set<StageListener>>();
  /** One bound listener per SDK event, so `off` removes exactly what `on` added. */
  private readonly forwarders = new Map<string, StageListener>();
  private markupChangeQueued = false;
  private refreshWanted = false;

  /**
   * @param onEvent called for every event before listeners, e.g. by the owning
   *   element to re-dispatch it as a DOM event.
   */
  constructor(private readonly onEvent?: (event: string, args: unknown[]) => void) {
    for (const event of Object.values(StageEvents)) {
      this.forwarders.set(event, (...args: unknown[]) => this.receive(event, args));
    }
  }

  /** The `Stage` currently followed, if any. */
  get stage(): Stage | undefined {
    return this.current;
  }

  /** The connection state of the current stage (`disconnected` without one). */
  get connectionState(): StageConnectionState {
    return this.state;
  }

  /** Publish state of the local participant on the current stage. */
  get localPublishState(): PublishState {
    return this.localState;
  }

  /** Every known participant, local included, in the order they joined. */
  get participants(): ParticipantEntry[] {
    return [...this.entries.values()];
  }

  /** The participant with this id, if it is on the stage. */
  participant(id: string): ParticipantEntry | undefined {
    return this.entries.get(id);
  }

  on(event: string, listener: StageListener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: StageListener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /**
   * Follows `stage` from now on (or nothing). The previous stage's listeners
   * are removed and the model is cleared; the caller decides whether the
   * previous stage leaves.
   */
  follow(stage: Stage | undefined): void {
    if (stage === this.current) return;
    if (this.current) {
      for (const [event, fn] of this.forwarders) this.current.off(event, fn);
    }
    this.current = stage;
    this.entries.clear();
    this.state = StageConnectionState.DISCONNECTED;
    this.localState = StageParticipantPublishState.NOT_PUBLISHED;
    if (stage) {
      for (const [event, fn] of this.forwarders) stage.on(event, fn);
    }
    this.notify(HANDLE_STAGE_CHANGED, []);
  }

  /** Adds a source of local media; the strategy is refreshed. */
  addLocalSource(source: LocalStreamSource): void {
    if (this.sources.has(source)) return;
    this.sources.add(source);
    this.requestRefresh();
  }

  /** Removes a source of local media; the strategy is refreshed. */
  removeLocalSource(source: LocalStreamSource): void {
    if (this.sources.delete(source)) this.requestRefresh();
  }

  /** Adds a subscribe rule; the strategy is refreshed. */
  addRule(rule: SubscribeRuleSource): void {
    if (this.rules.has(rule)) return;
    this.rules.add(rule);
    this.requestRefresh();
  }

  /** Removes a subscribe rule; the strategy is refreshed. */
  removeRule(rule: SubscribeRuleSource): void {
    if (this.rules.delete(rule)) this.requestRefresh();
  }

  /**
   * What the first rule (in document order) that applies to `participant`
   * says, or `undefined` when no rule applies.
   */
  ruledSubscription(participant: StageParticipantInfo): SubscribeType | undefined {
    const ordered = [...this.rules].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    return ordered.find((rule) => rule.appliesTo(participant))?.subscribeType;
  }

  /** Adds or removes a participant tile; the owner re-renders its grid. */
  setPlacedTile(tile: PlacedTile, placed: boolean): void {
    const changed = placed ? !this.tiles.has(tile) : this.tiles.has(tile);
    if (placed) this.tiles.add(tile);
    else this.tiles.delete(tile);
    if (changed) this.queueMarkupChange(false);
  }

  /** Tells followers that a tile now shows another participant. */
  placedTileChanged(): void {
    this.queueMarkupChange(false);
  }

  /** Ids of the participants that placed tiles show, leaving out the tiles inside `ownRoot` (the owner's own grid). */
  placedParticipantIds(ownRoot?: Node): Set<string> {
    const ids = new Set<string>();
    for (const tile of this.tiles) {
      if (tile.getRootNode() === ownRoot) continue;
      const id = tile.participant?.id;
      if (id) ids.add(id);
    }
    return ids;
  }

  /** True while `source` contributes at least one stream to what is published. */
  isPublishing(source: LocalStreamSource): boolean {
    return this.streamsToPublish().some((stream) => source.streams.includes(stream));
  }

  /**
   * The streams the strategy returns: those of every source that wants to be
   * published, in registration order, at most one audio and one video stream
   * (a participant publishes one of each; a second camera needs its own token).
   */
  streamsToPublish(): LocalStageStream[] {
    const byType = new Map<string, LocalStageStream>();
    for (const source of this.sources) {
      if (!source.publish) continue;
      for (const stream of source.streams) {
        if (!byType.has(stream.streamType)) byType.set(stream.streamType, stream);
      }
    }
    return [...byType.values()];
  }

  /**
   * Asks the current stage to query its strategy again, once per microtask
   * however many changes asked for it. Cheap: the SDK applies only differences.
   * Followers hear {@link HANDLE_MARKUP_CHANGED} first, since what the
   * strategy answers may have changed what they show.
   */
  requestRefresh(): void {
    this.queueMarkupChange(true);
  }

  /**
   * Tells followers about markup changes once per microtask, after the
   * element updates that caused them, and refreshes the strategy if asked.
   */
  private queueMarkupChange(refresh: boolean): void {
    this.refreshWanted ||= refresh;
    if (this.markupChangeQueued) return;
    this.markupChangeQueued = true;
    queueMicrotask(() => {
      const wanted = this.refreshWanted;
      this.markupChangeQueued = false;
      this.refreshWanted = false;
      this.notify(HANDLE_MARKUP_CHANGED, []);
      if (wanted) this.current?.refreshStrategy();
    });
  }

  private receive(event: string, args: unknown[]): void {
    this.apply(event, args);
    this.notify(event, args);
  }

  private notify(event: string, args: unknown[]): void {
    this.onEvent?.(event, args);
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) listener(...args);
  }

  /** Keeps the model in step with the SDK's events. */
  private apply(event: string, args: unknown[]): void {
    const info = args[0] as StageParticipantInfo;
    switch (event) {
      case StageEvents.STAGE_CONNECTION_STATE_CHANGED:
        this.state = args[0] as StageConnectionState;
        break;
      case StageEvents.STAGE_PARTICIPANT_JOINED:
        this.entries.set(info.id, { info, streams: this.entries.get(info.id)?.streams ?? [] });
        break;
      case StageEvents.STAGE_PARTICIPANT_LEFT:
        this.entries.delete(info.id);
        break;
      case StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED: {
        const added = args[1] as StageStream[];
        const kept = (this.entries.get(info.id)?.streams ?? []).filter((s) => !added.some((a) => a.id === s.id));
        this.entries.set(info.id, { info, streams: [...kept, ...added] });
        break;
      }
      case StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED: {
        const entry = this.entries.get(info.id);
        if (!entry) break;
        const removed = args[1] as StageStream[];
        this.entries.set(info.id, { info, streams: entry.streams.filter((s) => !removed.some((r) => r.id === s.id)) });
        break;
      }
      case StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED:
        if (info.isLocal) this.localState = args[1] as PublishState;
        break;
      case StageEvents.STAGE_LEFT:
        this.entries.clear();
        this.localState = StageParticipantPublishState.NOT_PUBLISHED;
        break;
      default:
        // Mute, metadata and layer events mutate the info object the entry already holds.
        break;
    }
  }
}
