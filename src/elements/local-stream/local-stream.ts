import { css, html, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { LocalStageStream, StageEvents, StageParticipantPublishState } from '../../sdk/index.js';
import type { StageParticipantInfo } from '../../sdk/index.js';
import { HANDLE_STAGE_CHANGED } from '../context/stage-handle.js';
import type { LocalStreamSource, StageHandle } from '../context/stage-handle.js';
import { IvsLocalStreamErrorEvent } from '../events/local-stream-error.js';
import { IvsLocalStreamReadyEvent } from '../events/local-stream-ready.js';
import { micOffIcon } from '../internal/icons.js';
import { IvsElement } from '../internal/ivs-element.js';
import { StageConsumer } from '../internal/stage-consumer.js';
import { initials, tileStyles } from '../internal/tile-styles.js';

/** Camera and microphone, with the sizes the stage accepts (longest side at most 1280 px). */
export const DEFAULT_CONSTRAINTS: MediaStreamConstraints = Object.freeze({
  audio: true,
  video: { width: { ideal: 1280, max: 1280 }, height: { ideal: 720, max: 720 }, frameRate: { ideal: 30, max: 30 } },
});

/**
 * @summary The local camera and microphone: a mirrored self-view, published to the enclosing `<ivs-stage>` while it carries `publish`.
 *
 * @tag ivs-local-stream
 *
 * @description
 * Captures the devices (`getUserMedia` with `constraints`) when connected and
 * stops them when removed. Inside an `<ivs-stage>`, the stage's strategy
 * publishes its streams while `publish` is set; adding or removing the
 * attribute (or the element) refreshes the strategy. `muted` mutes audio and
 * video on the stage without unpublishing, which is much faster than
 * toggling `publish`. The preview never plays sound.
 *
 * @fires {IvsLocalStreamReadyEvent} ivs-local-stream-ready - Devices captured; `detail: { mediaStream, streams }`.
 * @fires {IvsLocalStreamErrorEvent} ivs-local-stream-error - Capturing failed (permission denied, no device …); `detail: { error }`.
 *
 * @csspart base - The `<figure>` that holds everything.
 * @csspart video - The self-view `<video>` (muted, mirrored).
 * @csspart placeholder - Shown instead of the picture while muted or before the camera starts.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart label - The caption with the label and mute indicator.
 * @csspart muted-icon - The crossed-out microphone shown while muted.
 *
 * @cssproperty --ivs-self-view-transform - Transform of the preview. Default `scaleX(-1)` (mirror); set `none` to disable.
 * @cssproperty --ivs-tile-aspect-ratio - Aspect ratio of the tile. Default `16 / 9`.
 * @cssproperty --ivs-tile-radius - Corner radius of the tile. Default `0.75rem`.
 * @cssproperty --ivs-tile-background - Background behind the video and the placeholder. Default `#1d2026`.
 * @cssproperty --ivs-tile-color - Text colour on the tile.
 * @cssproperty --ivs-tile-font - Font shorthand of the tile.
 * @cssproperty --ivs-video-fit - `object-fit` of the video. Default `cover`.
 * @cssproperty --ivs-avatar-size - Diameter of the initials circle. Default `4rem`.
 * @cssproperty --ivs-avatar-background - Background of the initials circle.
 * @cssproperty --ivs-label-background - Background of the caption.
 * @cssproperty --ivs-label-color - Text colour of the caption.
 * @cssproperty --ivs-muted-color - Colour of the mute indicator.
 */
export class IvsLocalStream extends IvsElement implements LocalStreamSource {
  static override styles = [
    tileStyles,
    css`
      video {
        transform: var(--ivs-self-view-transform, scaleX(-1));
      }
    `,
  ];

  private readonly stageConsumer = new StageConsumer(this, {
    events: [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, StageEvents.STAGE_LEFT, HANDLE_STAGE_CHANGED],
    onEvent: (event, args) => event !== StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED || (args[0] as StageParticipantInfo).isLocal,
    onHandleChange: (next, previous) => this.moveToStage(next, previous),
  });

  private captured?: MediaStream;
  private localStreams: LocalStageStream[] = [];
  /** Bumped whenever a pending capture must be discarded (removed, re-captured). */
  private captureGeneration = 0;
  private capturing = false;
  private mediaSyncQueued = false;

  @query('video') private video?: HTMLVideoElement;

  /** Publish these streams to the enclosing stage. */
  @property({ type: Boolean, reflect: true }) publish = false;

  /** Mute audio and video on the stage (`LocalStageStream.setMuted`) without unpublishing. */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** Caption of the self-view. */
  @property() label = 'You';

  /**
   * Read-only: the local participant's publish state while these streams are
   * what the stage publishes (`not_published`, `attempting_publish`,
   * `published`, `errored`).
   */
  @property({ attribute: 'publish-state', reflect: true }) publishState: StageParticipantPublishState =
    StageParticipantPublishState.NOT_PUBLISHED;

  /**
   * What to capture; read when the element connects. Set before adding the
   * element, or call `recapture()` after changing it. E.g. `{ audio: true, video: false }`.
   */
  @property({ attribute: false }) constraints: MediaStreamConstraints = DEFAULT_CONSTRAINTS;

  override connectedCallback(): void {
    super.connectedCallback();
    this.scheduleMediaSync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scheduleMediaSync();
  }

  /** One `LocalStageStream` per captured track; empty until the devices are captured. */
  get streams(): readonly LocalStageStream[] {
    return this.localStreams;
  }

  /** The captured devices as one `MediaStream`, once ready. */
  get mediaStream(): MediaStream | undefined {
    return this.captured;
  }

  /** Stops the current devices and captures again with the current `constraints`. */
  async recapture(): Promise<void> {
    this.release();
    if (this.isConnected) await this.capture();
  }

  protected override willUpdate(): void {
    const handle = this.stageConsumer.handle;
    this.publishState =
      handle && this.publish && handle.isPublishing(this) ? handle.localPublishState : StageParticipantPublishState.NOT_PUBLISHED;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('muted')) {
      for (const stream of this.localStreams) stream.setMuted(this.muted);
    }
    if (changed.has('publish') && changed.get('publish') !== undefined) {
      this.stageConsumer.handle?.requestRefresh();
    }
    if (this.video && this.video.srcObject !== (this.captured ?? null)) {
      this.video.srcObject = this.captured ?? null;
    }
  }

  private moveToStage(next: StageHandle | undefined, previous: StageHandle | undefined): void {
    previous?.removeLocalSource(this);
    next?.addLocalSource(this);
  }

  /**
   * Capture and release run a microtask after connect/disconnect, so moving
   * the element in the DOM (disconnect + connect) keeps the devices.
   */
  private scheduleMediaSync(): void {
    if (this.mediaSyncQueued) return;
    this.mediaSyncQueued = true;
    queueMicrotask(() => {
      this.mediaSyncQueued = false;
      if (!this.isConnected) this.release();
      else if (!this.captured && !this.capturing) void this.capture();
    });
  }

  private async capture(): Promise<void> {
    const generation = ++this.captureGeneration;
    this.capturing = true;
    let media: MediaStream;
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('getUserMedia is not available (a secure context is required)', 'NotSupportedError');
      media = await navigator.mediaDevices.getUserMedia(this.constraints);
    } catch (error) {
      if (generation === this.captureGeneration) {
        this.capturing = false;
        this.emit(new IvsLocalStreamErrorEvent({ error }));
      }
      return;
    }
    if (generation !== this.captureGeneration || !this.isConnected) {
      // Removed (or re-captured) while the permission prompt was open.
      media.getTracks().forEach((track) => track.stop());
      return;
    }
    this.capturing = false;
    this.captured = media;
    this.localStreams = media.getTracks().map((track) => {
      const stream = new LocalStageStream(track);
      stream.setMuted(this.muted);
      return stream;
    });
    this.requestUpdate();
    this.stageConsumer.handle?.requestRefresh();
    this.emit(new IvsLocalStreamReadyEvent({ mediaStream: media, streams: [...this.localStreams] }));
  }

  private release(): void {
    this.captureGeneration++;
    this.capturing = false;
    if (!this.captured) return;
    this.captured.getTracks().forEach((track) => track.stop());
    this.captured = undefined;
    this.localStreams = [];
    this.stageConsumer.handle?.requestRefresh();
    this.requestUpdate();
  }

  protected override render() {
    const showPicture = Boolean(this.captured?.getVideoTracks().length) && !this.muted;
    return html`
      <figure part="base" class="tile">
        <video part="video" autoplay playsinline muted .muted=${true}></video>
        <div part="placeholder" class="placeholder" ?hidden=${showPicture}>
          <span part="avatar" class="avatar" aria-hidden="true">${initials(this.label)}</span>
        </div>
        <figcaption part="label" class="label">
          <span class="name">${this.label}</span>
          ${this.muted ? html`${micOffIcon}<span class="visually-hidden">(muted)</span>` : nothing}
        </figcaption>
      </figure>
    `;
  }
}
