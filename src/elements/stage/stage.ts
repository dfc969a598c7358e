import { ContextProvider } from '@lit/context';
import { css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Stage, StageConnectionState, StageError, StageErrorCategory, StageErrorCode, StageEvents, StageLeftReason, SubscribeType } from '../../sdk/index.js';
import type { StageParticipantInfo, StageStrategy } from '../../sdk/index.js';
import { stageContext } from '../context/stage-context.js';
import { HANDLE_MARKUP_CHANGED, HANDLE_STAGE_CHANGED, StageHandle } from '../context/stage-handle.js';
import type { ParticipantEntry } from '../context/stage-handle.js';
import { IvsErrorEvent } from '../events/error.js';
import { domEventForStageEvent } from '../events/from-stage-event.js';
import { IvsElement } from '../internal/ivs-element.js';
import { createElementStrategy, subscribeTypeFromAttribute } from './strategy.js';
import type { SubscribeAttribute } from './strategy.js';

/** Handle events after which the list of tiles may differ. */
const TILE_EVENTS = new Set<string>([
  StageEvents.STAGE_PARTICIPANT_JOINED,
  StageEvents.STAGE_PARTICIPANT_LEFT,
  StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED,
  StageEvents.STAGE_LEFT,
  HANDLE_STAGE_CHANGED,
  HANDLE_MARKUP_CHANGED,
]);

/** What the status indicator says; nothing while connected, or disconnected because the page asked. */
function statusText(state: StageConnectionState, reconnecting: boolean, leftReason: string | undefined): string | undefined {
  if (reconnecting) return 'Reconnecting…';
  if (state === StageConnectionState.CONNECTING) return 'Connecting…';
  return state === StageConnectionState.DISCONNECTED && leftReason ? 'Disconnected' : undefined;
}

/** Parts of each `<ivs-participant>` tile, re-exported as `participant-*`. */
const TILE_EXPORTPARTS = ['base', 'video', 'placeholder', 'avatar', 'label', 'muted-icon', 'video-off-icon', 'play-button']
  .map((part) => `${part}: participant-${part}`)
  .join(', ');

/**
 * @summary A real-time stage: joins with a participant token and shows every remote participant in a responsive grid.
 *
 * @tag ivs-stage
 *
 * @description
 * When connected with a `token`, the element creates a `Stage`, joins it,
 * and leaves when it is removed (or when the token changes, before joining
 * with the new one). Its strategy comes from markup: `subscribe` says what to
 * receive from remote participants, `<ivs-subscribe-rule>` children override
 * it for the participants they match, and `<ivs-local-stream publish>`
 * children say what to publish. Changing any of them refreshes the strategy;
 * setting the `strategy` property replaces all of that with the page's own.
 * Every SDK event is re-dispatched as an `ivs-*` DOM event whose `detail`
 * names the listener arguments. Descendants reach the stage through context.
 *
 * The grid shows a tile for every remote participant that is received
 * (subscription other than `none`) and that no `<ivs-participant>` placed
 * by the page already shows; `layout="none"` leaves the whole layout to the
 * page.
 *
 * @fires {IvsConnectionStateChangedEvent} ivs-connection-state-changed - `detail: { state }`.
 * @fires {IvsParticipantJoinedEvent} ivs-participant-joined - `detail: { participant }`; also for the local participant.
 * @fires {IvsParticipantLeftEvent} ivs-participant-left - `detail: { participant }`.
 * @fires {IvsParticipantPublishStateChangedEvent} ivs-participant-publish-state-changed - `detail: { participant, state }`.
 * @fires {IvsParticipantSubscribeStateChangedEvent} ivs-participant-subscribe-state-changed - `detail: { participant, state }`.
 * @fires {IvsStreamsAddedEvent} ivs-streams-added - `detail: { participant, streams }`.
 * @fires {IvsStreamsRemovedEvent} ivs-streams-removed - `detail: { participant, streams }`.
 * @fires {IvsStreamMuteChangedEvent} ivs-stream-mute-changed - `detail: { participant, stream }`.
 * @fires {IvsStreamLayersChangedEvent} ivs-stream-layers-changed - `detail: { participant, stream, layers }`.
 * @fires {IvsStreamLayerSelectedEvent} ivs-stream-layer-selected - `detail: { participant, stream, layer, reason }`.
 * @fires {IvsStreamAdaptionChangedEvent} ivs-stream-adaption-changed - `detail: { participant, stream, adapting }`.
 * @fires {IvsParticipantMetadataChangedEvent} ivs-participant-metadata-changed - `detail: { participant }`.
 * @fires {IvsStageLeftEvent} ivs-stage-left - `detail: { reason }`.
 * @fires {IvsErrorEvent} ivs-error - `detail: { error }` (a `StageError`), including a failed join or an invalid token.
 *
 * @slot - Local content placed first in the grid, typically `<ivs-local-stream>`.
 *
 * @csspart base - The grid that holds the slotted content and the participant tiles.
 * @csspart status - The "Connecting…" / "Reconnecting…" / "Disconnected" indicator: shown while joining or rejoining, and after the stage was left without the page asking.
 * @csspart participant - Each remote participant's `<ivs-participant>` tile.
 * @csspart participant-base - Each tile's `base` part.
 * @csspart participant-video - Each tile's `video` part.
 * @csspart participant-placeholder - Each tile's `placeholder` part.
 * @csspart participant-avatar - Each tile's `avatar` part.
 * @csspart participant-label - Each tile's `label` part.
 * @csspart participant-muted-icon - Each tile's `muted-icon` part.
 * @csspart participant-video-off-icon - Each tile's `video-off-icon` part.
 * @csspart participant-play-button - Each tile's `play-button` part.
 *
 * @cssproperty --ivs-gap - Space between tiles. Default `0.5rem`.
 * @cssproperty --ivs-tile-min-width - Narrowest a tile gets before the grid wraps. Default `16rem`.
 * @cssproperty --ivs-tile-aspect-ratio - Aspect ratio of the tiles (inherited). Default `16 / 9`.
 * @cssproperty --ivs-tile-radius - Corner radius of the tiles (inherited). Default `0.75rem`.
 * @cssproperty --ivs-tile-background - Background of the tiles (inherited). Default `#1d2026`.
 * @cssproperty --ivs-status-background - Background of the status indicator. Default `rgb(0 0 0 / 0.7)`.
 * @cssproperty --ivs-status-color - Text colour of the status indicator. Default `#fff`.
 */
export class IvsStage extends IvsElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
    }

    :host([hidden]) {
      display: none;
    }

    .grid {
      display: grid;
      gap: var(--ivs-gap, 0.5rem);
      grid-template-columns: repeat(auto-fit, minmax(min(100%, var(--ivs-tile-min-width, 16rem)), 1fr));
      align-content: start;
    }

    .status {
      position: absolute;
      top: 0.5rem;
      left: 50%;
      z-index: 1;
      transform: translateX(-50%);
      padding: 0.3rem 0.8rem;
      border-radius: 999px;
      background: var(--ivs-status-background, rgb(0 0 0 / 0.7));
      color: var(--ivs-status-color, #fff);
      font: 500 0.875rem/1.25 system-ui, sans-serif;
      pointer-events: none;
    }
  `;

  private readonly handle = new StageHandle((event, args) => this.handleStageEvent(event, args));

  /** The strategy built from markup; it reads the current attributes and children each time the SDK asks. */
  private readonly declarativeStrategy: StageStrategy = createElementStrategy(this.handle, () => this.subscribe);
  private customStrategy?: StageStrategy;

  /** Token the current `Stage` was created from. */
  private sessionToken?: string;
  private sessionSyncQueued = false;
  private tokenValue = '';
  /** Errors already dispatched, so an error both emitted and thrown by the SDK is reported once. */
  private readonly reportedErrors = new WeakSet<object>();

  /** The participant token (a JWT from `CreateParticipantToken`). A new token leaves and joins again. */
  @property()
  get token(): string {
    return this.tokenValue;
  }
  set token(value: string) {
    this.tokenValue = value ?? '';
    this.scheduleSessionSync();
  }

  /**
   * What to receive from remote participants that no `<ivs-subscribe-rule>`
   * matches: `audio-video` (default), `audio-only` or `none`.
   */
  @property() subscribe: SubscribeAttribute = 'audio-video';

  /** `grid` (default): a tile per received participant; `none`: no tiles, the page places `<ivs-participant>` elements itself. */
  @property({ reflect: true }) layout: 'grid' | 'none' = 'grid';

  /** Read-only: the stage's connection state (`disconnected`, `connecting`, `connected`, `errored`). */
  @property({ attribute: 'connection-state', reflect: true }) connectionState: StageConnectionState =
    StageConnectionState.DISCONNECTED;

  /**
   * Read-only: true from a lost connection until the stage is connected again
   * (or gives up and leaves), while the SDK rejoins on its own.
   */
  @property({ type: Boolean, reflect: true }) reconnecting = false;

  /**
   * How long (ms) the stage keeps trying to rejoin after losing the server
   * before it gives up; the SDK's default (30 s) when unset. Read when the
   * stage is created (on connection or a new token).
   */
  @property({ attribute: 'reconnect-timeout', type: Number }) reconnectTimeout?: number;

  /**
   * Read-only: why the stage was left when the page did not ask
   * (`unknown` after giving up on rejoining, `stage-deleted`, …); cleared on the next connection.
   */
  @property({ attribute: 'left-reason', reflect: true }) leftReason?: StageLeftReason;

  /** Accessible name of the participant grid. */
  @property() label = 'Stage participants';

  constructor() {
    super();
    new ContextProvider(this, { context: stageContext, initialValue: this.handle });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.scheduleSessionSync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scheduleSessionSync();
  }

  /**
   * The strategy in use. By default it is built from markup (`subscribe`,
   * `<ivs-subscribe-rule>`, `<ivs-local-stream publish>`); setting an object
   * replaces it entirely, on the current stage too, and setting `undefined`
   * brings back the markup's. Call `stage.refreshStrategy()` when your
   * strategy's answers change.
   */
  get strategy(): StageStrategy {
    return this.customStrategy ?? this.declarativeStrategy;
  }
  set strategy(strategy: StageStrategy | undefined) {
    this.customStrategy = strategy ?? undefined;
    this.handle.stage?.replaceStrategy(this.strategy);
    this.requestUpdate();
  }

  /** The SDK `Stage` currently in use, or `undefined` without a token. */
  get stage(): Stage | undefined {
    return this.handle.stage;
  }

  /** Every participant on the stage (local included) with its current streams. */
  get participants(): ParticipantEntry[] {
    return this.handle.participants;
  }

  /**
   * Joins the stage again after `leave()` (joining is automatic otherwise).
   * Rejects with the SDK's `StageError`, which is also dispatched as `ivs-error`.
   */
  async join(): Promise<void> {
    const stage = this.handle.stage;
    if (!stage) throw new Error('<ivs-stage> cannot join without a token');
    try {
      await stage.join();
    } catch (error) {
      if (stage === this.handle.stage) this.reportError(error);
      throw error;
    }
  }

  /** Leaves the stage; the element stays and `join()` joins again. */
  async leave(): Promise<void> {
    await this.handle.stage?.leave();
  }

  /**
   * Creates the SDK object for a token. Override to use a `Stage` subclass.
   * @internal
   */
  protected createStage(token: string, strategy: StageStrategy): Stage {
    return new Stage(token, strategy, { reconnect: { timeoutMs: this.reconnectTimeout } });
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('subscribe') && changed.get('subscribe') !== undefined) {
      this.handle.requestRefresh();
    }
  }

  /**
   * Session changes run a microtask after the token or the connection
   * changed, so moving the element in the DOM does not leave the stage.
   */
  private scheduleSessionSync(): void {
    if (this.sessionSyncQueued) return;
    this.sessionSyncQueued = true;
    queueMicrotask(() => {
      this.sessionSyncQueued = false;
      this.syncSession();
    });
  }

  private syncSession(): void {
    const wanted = this.isConnected && this.token ? this.token : undefined;
    if (wanted === this.sessionToken) return;
    this.sessionToken = wanted;

    const previous = this.handle.stage;
    this.handle.follow(undefined);
    previous?.leave().catch(() => undefined);

    if (!wanted) return;
    let stage: Stage;
    try {
      stage = this.createStage(wanted, this.strategy);
    } catch (error) {
      this.reportError(error);
      return;
    }
    this.handle.follow(stage);
    this.join().catch(() => undefined);
  }

  private handleStageEvent(event: string, args: unknown[]): void {
    if (event === StageEvents.STAGE_CONNECTION_STATE_CHANGED || event === HANDLE_STAGE_CHANGED) {
      this.connectionState = this.handle.connectionState;
      this.followReconnection();
    }
    if (event === StageEvents.STAGE_LEFT) {
      const reason = args[0] as StageLeftReason;
      this.leftReason = reason === StageLeftReason.USER_INITIATED ? undefined : reason;
    }
    if (event === StageEvents.STAGE_CONNECTION_STATE_CHANGED && this.handle.connectionState === StageConnectionState.CONNECTED) {
      this.leftReason = undefined;
    }
    if (event === StageEvents.ERROR && args[0] && typeof args[0] === 'object') {
      this.reportedErrors.add(args[0]);
    }
    const domEvent = domEventForStageEvent(event, args);
    if (domEvent) this.emit(domEvent);
    if (TILE_EVENTS.has(event)) this.requestUpdate();
  }

  /** A stage that errors after it was connected is rejoining; it has finished once connected or disconnected. */
  private followReconnection(): void {
    const state = this.connectionState;
    if (state === StageConnectionState.ERRORED) this.reconnecting = true;
    else if (state === StageConnectionState.CONNECTED || state === StageConnectionState.DISCONNECTED) this.reconnecting = false;
  }

  private reportError(error: unknown): void {
    if (error && typeof error === 'object') {
      if (this.reportedErrors.has(error)) return;
      this.reportedErrors.add(error);
    }
    const stageError =
      error instanceof StageError
        ? error
        : new StageError(StageErrorCode.FAILED, StageErrorCategory.JOIN_ERROR, String((error as Error)?.message ?? error), { cause: error });
    this.emit(new IvsErrorEvent({ error: stageError }));
  }

  /** Remote participants that get an automatic tile: received, and not already placed by the page. */
  private tiledParticipants(): StageParticipantInfo[] {
    if (this.layout === 'none') return [];
    const placed = this.handle.placedParticipantIds(this.renderRoot);
    return this.handle.participants
      .map((entry) => entry.info)
      .filter((info) => !info.isLocal && !placed.has(info.id) && this.subscriptionOf(info) !== SubscribeType.NONE);
  }

  /** What the strategy in use answers for `info` (the markup's answer needs no stage). */
  private subscriptionOf(info: StageParticipantInfo): SubscribeType {
    try {
      return this.strategy.shouldSubscribeToParticipant(info);
    } catch {
      // A page strategy that throws is reported by the SDK; keep the tile.
      return subscribeTypeFromAttribute(this.subscribe);
    }
  }

  protected override render() {
    const remotes = this.tiledParticipants();
    const status = statusText(this.connectionState, this.reconnecting, this.leftReason);
    return html`
      ${status ? html`<div part="status" class="status" role="status">${status}</div>` : nothing}
      <div part="base" class="grid" role="group" aria-label=${this.label}>
        <slot></slot>
        ${repeat(
          remotes,
          (info) => info.id,
          (info) => html`<ivs-participant part="participant" exportparts=${TILE_EXPORTPARTS} participant-id=${info.id}></ivs-participant>`,
        )}
      </div>
    `;
  }
}
