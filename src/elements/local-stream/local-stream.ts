import { css, html, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { LocalStageStream, StageEvents, StageParticipantPublishState } from '../../sdk/index.js';
import type { StageParticipantInfo } from '../../sdk/index.js';
import { HANDLE_STAGE_CHANGED } from '../context/stage-handle.js';
import type { LocalStreamSource, StageHandle } from '../context/stage-handle.js';
import { IvsLocalStreamErrorEvent } from '../events/local-stream-error.js';
import { IvsLocalStreamReadyEvent } from '../events/local-stream-ready.js';
import { cameraOffIcon, micOffIcon } from '../internal/icons.js';
import { IvsElement } from '../internal/ivs-element.js';
import { StageConsumer } from '../internal/stage-consumer.js';
import { initials, tileStyles } from '../internal/tile-styles.js';
import { DEFAULT_CONSTRAINTS, SCREEN_CONSTRAINTS, cameraConstraints, kindConstraints, videoStreamOptions } from './capture-constraints.js';
import type { CaptureSource, MediaKind } from './capture-constraints.js';

/** Properties that pick the devices: changing one swaps that kind's track. */
const DEVICE_PROPERTIES: ReadonlyArray<[PropertyKey, MediaKind]> = [
  ['videoDeviceId', 'video'],
  ['facingMode', 'video'],
  ['audioDeviceId', 'audio'],
];

/** Properties that become the video stream's options. */
const ENCODING_PROPERTIES: readonly PropertyKey[] = ['maxBitrate', 'maxFramerate', 'simulcast'];

/**
 * @summary Local media — camera and microphone, or a screen — with a self-view, published to the enclosing `<ivs-stage>` while it carries `publish`.
 *
 * @tag ivs-local-stream
 *
 * @description
 * Captures when connected (`getUserMedia` with `constraints` and the picked
 * devices, or `getDisplayMedia` for `source="screen"`) and stops the tracks
 * when removed. Inside an `<ivs-stage>`, the stage's strategy publishes its
 * streams while `publish` is set; adding or removing the attribute (or the
 * element) refreshes the strategy. `muted` mutes audio and video on the
 * stage without unpublishing (much faster than toggling `publish`);
 * `audio-muted` and `video-muted` mute one of them. Changing the device
 * attributes while published captures the new device and swaps the track
 * without renegotiating; changing the encoding attributes swaps the video
 * stream's options. The preview never plays sound.
 *
 * A screen share is usually a second participant: put
 * `<ivs-local-stream source="screen" publish>` in a second `<ivs-stage>`
 * with its own token. When the user stops sharing from the browser's UI,
 * the streams end and publishing stops; `recapture()` asks again.
 *
 * @fires {IvsLocalStreamReadyEvent} ivs-local-stream-ready - Media captured (also after a device change); `detail: { mediaStream, streams }`.
 * @fires {IvsLocalStreamErrorEvent} ivs-local-stream-error - Capturing failed (permission denied, no device …) or an encoding attribute is out of the stage's limits; `detail: { error }`.
 *
 * @csspart base - The `<figure>` that holds everything.
 * @csspart video - The self-view `<video>` (muted; mirrored for the camera).
 * @csspart placeholder - Shown instead of the picture while the video is muted or before capture.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart label - The caption with the label and mute indicators.
 * @csspart muted-icon - The crossed-out microphone shown while audio is muted.
 * @csspart video-off-icon - The crossed-out camera shown while video is muted.
 *
 * @cssproperty --ivs-self-view-transform - Transform of the camera preview. Default `scaleX(-1)` (mirror); set `none` to disable.
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
 * @cssproperty --ivs-muted-color - Colour of the mute indicators.
 */
export class IvsLocalStream extends IvsElement implements LocalStreamSource {
  static override styles = [
    tileStyles,
    css`
      video {
        transform: var(--ivs-self-view-transform, scaleX(-1));
      }

      :host([source='screen']) video {
        transform: none;
      }
    `,
  ];

  private readonly stageConsumer = new StageConsumer(this, {
    events: [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, StageEvents.STAGE_LEFT, HANDLE_STAGE_CHANGED],
    onEvent: (event, args) => event !== StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED || (args[0] as StageParticipantInfo).isLocal,
    onHandleChange: (next, previous) => this.moveToStage(next, previous),
  });

  /** The live tracks, one per kind. */
  private readonly tracks = new Map<MediaKind, MediaStreamTrack>();
  /** The stage streams wrapping those tracks; replaced when a track or the options change. */
  private readonly stageStreams = new Map<MediaKind, LocalStageStream>();
  private preview?: MediaStream;
  /** Bumped whenever a pending capture must be discarded (removed, re-captured). */
  private captureGeneration = 0;
  /** Bumped per kind whenever a pending device swap must be discarded. */
  private readonly swapGeneration = new Map<MediaKind, number>();
  private capturing = false;
  private mediaSyncQueued = false;
  /** False during the first update, whose "changes" are the initial values a capture already uses. */
  private initialized = false;

  @query('video') private video?: HTMLVideoElement;

  /** Publish these streams to the enclosing stage. */
  @property({ type: Boolean, reflect: true }) publish = false;

  /** Mute audio and video on the stage (`LocalStageStream.setMuted`) without unpublishing. */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** Mute the audio only (the participant's `audioMuted` for everyone else). */
  @property({ attribute: 'audio-muted', type: Boolean, reflect: true }) audioMuted = false;

  /** Stop sending video only (the participant's `videoStopped` for everyone else). */
  @property({ attribute: 'video-muted', type: Boolean, reflect: true }) videoMuted = false;

  /** What to capture: `camera` (camera and microphone, default) or `screen` (`getDisplayMedia`, video only). */
  @property({ reflect: true }) source: CaptureSource = 'camera';

  /** `deviceId` of the camera to use (from `enumerateDevices()`); changing it while published swaps the track. Camera source only. */
  @property({ attribute: 'video-device-id' }) videoDeviceId?: string;

  /** `deviceId` of the microphone to use; changing it while published swaps the track. */
  @property({ attribute: 'audio-device-id' }) audioDeviceId?: string;

  /** Preferred camera on phones: `user` (front) or `environment` (back). */
  @property({ attribute: 'facing-mode' }) facingMode?: 'user' | 'environment';

  /** Highest video bitrate in kbps (`LocalStageStream` option `maxBitrate`, 50–2500). */
  @property({ attribute: 'max-bitrate', type: Number }) maxBitrate?: number;

  /** Highest video frame rate (`LocalStageStream` option `maxFramerate`, 10–30). */
  @property({ attribute: 'max-framerate', type: Number }) maxFramerate?: number;

  /** Send the video as simulcast layers (`LocalStageStream` option `simulcast: { enabled: true }`). */
  @property({ type: Boolean, reflect: true }) simulcast = false;

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
   * Base `getUserMedia` constraints for the camera source; the device
   * attributes are added to them. Read when capturing: set before adding the
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

  /** One `LocalStageStream` per captured track (audio first); empty until captured. */
  get streams(): readonly LocalStageStream[] {
    return (['audio', 'video'] as const).flatMap((kind) => this.stageStreams.get(kind) ?? []);
  }

  /** The captured tracks as one `MediaStream`, once ready (a new object after a device change). */
  get mediaStream(): MediaStream | undefined {
    return this.preview;
  }

  /** Stops the current tracks and captures again with the current settings. */
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
    if (changed.has('muted') || changed.has('audioMuted') || changed.has('videoMuted')) this.applyMute();
    if (changed.has('publish') && changed.get('publish') !== undefined) {
      this.stageConsumer.handle?.requestRefresh();
    }
    if (this.initialized && this.hasCapture()) {
      if (changed.has('source')) void this.recapture();
      else this.followSettings(changed);
    }
    this.initialized = true;
    if (this.video && this.video.srcObject !== (this.preview ?? null)) {
      this.video.srcObject = this.preview ?? null;
    }
  }

  /** True once capture started (or finished): later setting changes must be applied to it. */
  private hasCapture(): boolean {
    return this.capturing || this.tracks.size > 0;
  }

  /** Applies device and encoding changes to what is already captured. */
  private followSettings(changed: Map<PropertyKey, unknown>): void {
    if (this.capturing) {
      // A capture with the old settings is on its way: start over.
      if (this.source === 'camera' && DEVICE_PROPERTIES.some(([key]) => changed.has(key))) void this.recapture();
      return;
    }
    // Device attributes pick a camera or microphone; a screen share has neither.
    const devices = this.source === 'camera' ? DEVICE_PROPERTIES : [];
    const kinds = new Set(devices.filter(([key]) => changed.has(key)).map(([, kind]) => kind));
    for (const kind of kinds) if (this.tracks.has(kind)) void this.swapDevice(kind);
    if (ENCODING_PROPERTIES.some((key) => changed.has(key)) && !kinds.has('video') && this.tracks.has('video')) {
      this.wrapTrack('video');
      this.stageConsumer.handle?.requestRefresh();
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
      else if (!this.hasCapture()) void this.capture();
    });
  }

  private acquire(): Promise<MediaStream> {
    const devices = navigator.mediaDevices;
    const available = this.source === 'screen' ? devices?.getDisplayMedia : devices?.getUserMedia;
    if (!available) {
      return Promise.reject(new DOMException(`${this.source} capture is not available (a secure context is required)`, 'NotSupportedError'));
    }
    return this.source === 'screen'
      ? devices.getDisplayMedia(SCREEN_CONSTRAINTS)
      : devices.getUserMedia(cameraConstraints(this.constraints, this));
  }

  private async capture(): Promise<void> {
    const generation = ++this.captureGeneration;
    this.capturing = true;
    let media: MediaStream;
    try {
      media = await this.acquire();
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
    for (const track of media.getTracks()) this.adoptTrack(track);
    this.mediaChanged();
  }

  /**
   * Captures the newly picked device of one kind while the other kind keeps
   * going, then swaps the stage stream: the SDK replaces the sender's track
   * without renegotiating. The old track stops once replaced.
   */
  private async swapDevice(kind: MediaKind): Promise<void> {
    const generation = (this.swapGeneration.get(kind) ?? 0) + 1;
    this.swapGeneration.set(kind, generation);
    const constraints = kindConstraints(this.constraints, kind, this);
    let media: MediaStream;
    try {
      if (!constraints) return;
      media = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    } catch (error) {
      if (generation === this.swapGeneration.get(kind)) this.emit(new IvsLocalStreamErrorEvent({ error }));
      return;
    }
    const [track] = media.getTracks();
    if (generation !== this.swapGeneration.get(kind) || !this.tracks.has(kind) || !this.isConnected) {
      track.stop();
      return;
    }
    const previous = this.tracks.get(kind);
    this.adoptTrack(track);
    this.mediaChanged();
    previous?.stop();
  }

  /** Takes a captured track as the one of its kind, wrapped in a new stage stream. */
  private adoptTrack(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    this.tracks.set(kind, track);
    // Ended from outside: the user stopped a screen share, or a device went away.
    track.addEventListener('ended', () => this.trackEnded(track), { once: true });
    this.wrapTrack(kind);
  }

  private wrapTrack(kind: MediaKind): void {
    const track = this.tracks.get(kind);
    if (!track) return;
    const options = kind === 'video' ? videoStreamOptions(this) : {};
    let stream: LocalStageStream;
    try {
      stream = new LocalStageStream(track, options);
    } catch (error) {
      // Out of the stage's limits: say so, and publish with the defaults rather than not at all.
      this.emit(new IvsLocalStreamErrorEvent({ error }));
      stream = new LocalStageStream(track);
    }
    stream.setMuted(this.isMuted(kind));
    this.stageStreams.set(kind, stream);
  }

  private trackEnded(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    if (this.tracks.get(kind) !== track) return;
    track.stop();
    this.tracks.delete(kind);
    this.stageStreams.delete(kind);
    this.mediaChanged();
  }

  /** After the tracks changed: new preview, strategy refresh, and `ivs-local-stream-ready` while something is captured. */
  private mediaChanged(): void {
    this.preview = this.tracks.size > 0 ? new MediaStream([...this.tracks.values()]) : undefined;
    this.requestUpdate();
    this.stageConsumer.handle?.requestRefresh();
    if (this.preview) this.emit(new IvsLocalStreamReadyEvent({ mediaStream: this.preview, streams: [...this.streams] }));
  }

  private isMuted(kind: MediaKind): boolean {
    return this.muted || (kind === 'audio' ? this.audioMuted : this.videoMuted);
  }

  private applyMute(): void {
    for (const [kind, stream] of this.stageStreams) stream.setMuted(this.isMuted(kind));
  }

  private release(): void {
    this.captureGeneration++;
    for (const kind of this.swapGeneration.keys()) this.swapGeneration.set(kind, (this.swapGeneration.get(kind) ?? 0) + 1);
    this.capturing = false;
    if (this.tracks.size === 0) return;
    for (const track of this.tracks.values()) track.stop();
    this.tracks.clear();
    this.stageStreams.clear();
    this.preview = undefined;
    this.stageConsumer.handle?.requestRefresh();
    this.requestUpdate();
  }

  protected override render() {
    const videoMuted = this.isMuted('video');
    const audioMuted = this.isMuted('audio');
    const showPicture = this.tracks.has('video') && !videoMuted;
    return html`
      <figure part="base" class="tile">
        <video part="video" autoplay playsinline muted .muted=${true}></video>
        <div part="placeholder" class="placeholder" ?hidden=${showPicture}>
          <span part="avatar" class="avatar" aria-hidden="true">${initials(this.label)}</span>
        </div>
        <figcaption part="label" class="label">
          <span class="name">${this.label}</span>
          ${audioMuted && this.source === 'camera' ? html`${micOffIcon}<span class="visually-hidden">(microphone muted)</span>` : nothing}
          ${videoMuted ? html`${cameraOffIcon}<span class="visually-hidden">(camera off)</span>` : nothing}
        </figcaption>
      </figure>
    `;
  }
}
