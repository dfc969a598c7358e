import { css, html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { StageEvents, StreamType } from '../../sdk/index.js';
import type { StageParticipantInfo, StageStream } from '../../sdk/index.js';
import { HANDLE_STAGE_CHANGED } from '../context/stage-handle.js';
import type { ParticipantEntry } from '../context/stage-handle.js';
import { cameraOffIcon, micOffIcon } from '../internal/icons.js';
import { IvsElement } from '../internal/ivs-element.js';
import { StageConsumer } from '../internal/stage-consumer.js';
import { initials, tileStyles } from '../internal/tile-styles.js';

/** Events that can change what a participant tile shows. */
const FOLLOWED_EVENTS = [
  StageEvents.STAGE_PARTICIPANT_JOINED,
  StageEvents.STAGE_PARTICIPANT_LEFT,
  StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED,
  StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED,
  StageEvents.STAGE_STREAM_MUTE_CHANGED,
  StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED,
  StageEvents.STAGE_LEFT,
  HANDLE_STAGE_CHANGED,
];

/** Gestures that let a page start sound (the browser grants user activation on them). */
const GESTURES = ['click', 'keydown', 'touchend'] as const;

/**
 * @summary One participant of the enclosing `<ivs-stage>`: their video and audio, name and mute state.
 *
 * @tag ivs-participant
 *
 * @description
 * `<ivs-stage>` renders one of these for every remote participant it
 * receives. It finds its participant by `participant-id` (or else `user-id`)
 * on the nearest `<ivs-stage>` (through context) and follows the stage's
 * events, so a page can place its own anywhere inside an `<ivs-stage>`; the
 * stage then leaves that participant out of its automatic grid. The participant's own audio is never played for
 * the local participant. When the browser refuses to autoplay sound, the
 * video plays muted and a "Play audio" button appears; the sound starts
 * with that click or with the page's next click or key press, whichever
 * comes first.
 *
 * @csspart base - The `<figure>` that holds everything.
 * @csspart video - The `<video>` element.
 * @csspart placeholder - Shown instead of the picture when there is no video or it is stopped.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart label - The caption with the participant's name and mute indicators.
 * @csspart muted-icon - The crossed-out microphone shown while audio is muted.
 * @csspart video-off-icon - The crossed-out camera shown while video is stopped.
 * @csspart play-button - Shown when the browser blocked audio autoplay.
 *
 * @cssproperty --ivs-tile-aspect-ratio - Aspect ratio of the tile. Default `16 / 9`.
 * @cssproperty --ivs-tile-radius - Corner radius of the tile. Default `0.75rem`.
 * @cssproperty --ivs-tile-background - Background behind the video and the placeholder. Default `#1d2026`.
 * @cssproperty --ivs-tile-color - Text colour on the tile. Default `#f4f5f7`.
 * @cssproperty --ivs-tile-font - Font shorthand of the tile.
 * @cssproperty --ivs-video-fit - `object-fit` of the video. Default `cover`.
 * @cssproperty --ivs-avatar-size - Diameter of the initials circle. Default `4rem`.
 * @cssproperty --ivs-avatar-background - Background of the initials circle.
 * @cssproperty --ivs-label-background - Background of the name caption.
 * @cssproperty --ivs-label-color - Text colour of the name caption.
 * @cssproperty --ivs-muted-color - Colour of the mute indicators. Default `#ff6b6b`.
 */
export class IvsParticipant extends IvsElement {
  static override styles = [
    tileStyles,
    css`
      .play {
        position: absolute;
        top: 0.5rem;
        right: 0.5rem;
        padding: 0.3rem 0.7rem;
        border: 0;
        border-radius: 999px;
        font: inherit;
        background: var(--ivs-label-background, rgb(0 0 0 / 0.6));
        color: var(--ivs-label-color, #fff);
        cursor: pointer;
      }

      .play:focus-visible {
        outline: 2px solid var(--ivs-focus-color, #7aa2ff);
        outline-offset: 2px;
      }
    `,
  ];

  private readonly stageConsumer = new StageConsumer(this, {
    events: FOLLOWED_EVENTS,
    onEvent: (event, args) => this.concernsMe(event, args),
    onHandleChange: (next, previous) => {
      previous?.setPlacedTile(this, false);
      next?.setPlacedTile(this, true);
    },
  });

  /** Key of the track set attached to the video, to re-attach only on change. */
  private attachedTracks = '';

  @query('video') private video?: HTMLVideoElement;

  /** True when the browser refused to play sound without a user gesture. */
  @state() private audioBlocked = false;

  /** Id of the participant to show (`StageParticipantInfo.id`). */
  @property({ attribute: 'participant-id', reflect: true }) participantId = '';

  /** User id of the participant to show (`StageParticipantInfo.userId`), used when `participant-id` is not set. */
  @property({ attribute: 'user-id', reflect: true }) userId = '';

  /** Read-only: reflects whether the participant muted their audio. */
  @property({ attribute: 'audio-muted', type: Boolean, reflect: true }) audioMuted = false;

  /** Read-only: reflects whether the participant stopped their video. */
  @property({ attribute: 'video-stopped', type: Boolean, reflect: true }) videoStopped = false;

  /**
   * Read-only: this client receives the participant's audio but no video
   * (an `audio-only` subscription, or a participant publishing audio only).
   */
  @property({ attribute: 'audio-only', type: Boolean, reflect: true }) audioOnly = false;

  override connectedCallback(): void {
    super.connectedCallback();
    // Media is released on disconnect; attach it again when coming back.
    if (this.hasUpdated) this.requestUpdate();
    if (this.audioBlocked) this.waitForGesture(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.waitForGesture(false);
    this.detachMedia();
  }

  /** The participant shown, once the stage knows it. */
  get participant(): StageParticipantInfo | undefined {
    return this.entry()?.info;
  }

  /** The participant's streams currently available to this client. */
  get streams(): readonly StageStream[] {
    return this.entry()?.streams ?? [];
  }

  /** The stage's entry for `participant-id`, or else the first one with `user-id` (remote before local). */
  private entry(): ParticipantEntry | undefined {
    const handle = this.stageConsumer.handle;
    if (!handle) return undefined;
    if (this.participantId) return handle.participant(this.participantId);
    if (!this.userId) return undefined;
    const matching = handle.participants.filter((entry) => entry.info.userId === this.userId);
    return matching.find((entry) => !entry.info.isLocal) ?? matching[0];
  }

  protected override willUpdate(): void {
    const info = this.participant;
    this.audioMuted = info?.audioMuted ?? false;
    this.videoStopped = info?.videoStopped ?? false;
    const kinds = this.streams.map((stream) => stream.streamType);
    this.audioOnly = kinds.includes(StreamType.AUDIO) && !kinds.includes(StreamType.VIDEO);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('participantId') || changed.has('userId')) this.stageConsumer.handle?.placedTileChanged();
    this.attachMedia();
  }

  /** Only events about this participant (or the whole stage) re-render the tile. */
  private concernsMe(event: string, args: unknown[]): boolean {
    if (event === HANDLE_STAGE_CHANGED || event === StageEvents.STAGE_LEFT) return true;
    const info = args[0] as StageParticipantInfo | undefined;
    if (!info) return false;
    return this.participantId ? info.id === this.participantId : Boolean(this.userId) && info.userId === this.userId;
  }

  /** Puts the right tracks on the `<video>`: video plus audio, never the local participant's audio. */
  private attachMedia(): void {
    const video = this.video;
    if (!video) return;
    const isLocal = this.participant?.isLocal ?? false;
    const tracks = this.streams
      .filter((stream) => !(isLocal && stream.streamType === StreamType.AUDIO))
      .map((stream) => stream.mediaStreamTrack);
    const key = tracks.map((track) => track.id).join(' ');
    if (key === this.attachedTracks) return;
    this.attachedTracks = key;
    video.srcObject = tracks.length > 0 ? new MediaStream(tracks) : null;
    if (tracks.length > 0) void this.play(video);
  }

  private detachMedia(): void {
    if (this.video) this.video.srcObject = null;
    this.attachedTracks = '';
  }

  private async play(video: HTMLVideoElement): Promise<void> {
    try {
      await video.play();
    } catch (error) {
      // Autoplay with sound refused: play muted, offer a button and wait for a gesture anywhere.
      if ((error as DOMException).name === 'NotAllowedError' && !video.muted) {
        this.audioBlocked = true;
        this.waitForGesture(true);
        video.muted = true;
        await video.play().catch(() => undefined);
      }
      // AbortError: the source changed while starting; the next attach plays again.
    }
  }

  private readonly handlePlayAudio = (): void => {
    const video = this.video;
    if (!video || !this.audioBlocked) return;
    this.waitForGesture(false);
    this.audioBlocked = false;
    video.muted = false;
    void this.play(video);
  };

  /** Listens (capturing, on the document) for the first gesture after which sound may play. */
  private waitForGesture(waiting: boolean): void {
    for (const type of GESTURES) {
      if (waiting) document.addEventListener(type, this.handlePlayAudio, { capture: true });
      else document.removeEventListener(type, this.handlePlayAudio, { capture: true });
    }
  }

  protected override render() {
    const info = this.participant;
    const name = info?.userId || (this.participantId ? `Participant ${this.participantId.slice(0, 8)}` : 'Participant');
    const hasVideo = this.streams.some((s) => s.streamType === StreamType.VIDEO);
    const showPicture = hasVideo && !this.videoStopped;
    const muteVideoElement = (info?.isLocal ?? false) || this.audioBlocked;

    return html`
      <figure part="base" class="tile">
        <video part="video" autoplay playsinline .muted=${muteVideoElement}></video>
        <div part="placeholder" class="placeholder" ?hidden=${showPicture}>
          <span part="avatar" class="avatar" aria-hidden="true">${initials(name)}</span>
        </div>
        <figcaption part="label" class="label">
          <span class="name">${name}</span>
          ${this.audioMuted ? html`${micOffIcon}<span class="visually-hidden">(microphone muted)</span>` : nothing}
          ${this.videoStopped ? html`${cameraOffIcon}<span class="visually-hidden">(camera off)</span>` : nothing}
          ${this.audioOnly && !this.videoStopped ? html`<span class="visually-hidden">(audio only)</span>` : nothing}
        </figcaption>
        ${this.audioBlocked
          ? html`<button part="play-button" class="play" type="button" @click=${this.handlePlayAudio}>
              Play audio<span class="visually-hidden"> from ${name}</span>
            </button>`
          : nothing}
      </figure>
    `;
  }
}
