/**
 * Helpers of the element browser tests that run real stages through the
 * real server (test/browser/elements-*.test.ts): finding tiles and checking
 * what a user would see and hear.
 */
import type { IvsParticipant, IvsStage, StageStream } from '../../src/index.js';
import { StreamType } from '../../src/sdk/index.js';
import { inbound } from '../helpers/media.js';
import { waitFor } from '../helpers/stage-events.js';

/** The stage's automatic tile for the participant with this user id, if it renders one. */
export function tileOf(stage: IvsStage, userId: string): IvsParticipant | undefined {
  return [...stage.shadowRoot!.querySelectorAll<IvsParticipant>('ivs-participant')].find((tile) => tile.participant?.userId === userId);
}

/** Waits for the stage to render a tile for `userId`. */
export function tileFor(stage: IvsStage, userId: string): Promise<IvsParticipant> {
  return waitFor(() => tileOf(stage, userId), `${userId}'s tile`);
}

export function streamOf(tile: IvsParticipant, type: StreamType): StageStream | undefined {
  return tile.streams.find((s) => s.streamType === type);
}

/** The kinds of the tracks the tile's `<video>` plays. */
export function playedKinds(tile: IvsParticipant): string[] {
  const src = tile.shadowRoot!.querySelector('video')!.srcObject as MediaStream | null;
  return (src?.getTracks() ?? []).map((t) => t.kind).sort();
}

export function placeholderShown(tile: IvsParticipant): boolean {
  return !tile.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!.hidden;
}

/** Resolves once `field` of the stream's inbound stats grows, i.e. media keeps arriving. */
export async function keepsArriving(stream: StageStream, field: 'framesDecoded' | 'packetsReceived', what: string): Promise<void> {
  const before = await inbound(stream, field);
  await waitFor(async () => (await inbound(stream, field)) > before, what);
}

/** Waits until the tile shows moving pictures: video playing, frames decoded and still coming. */
export async function showsVideo(tile: IvsParticipant, who: string): Promise<void> {
  const video = tile.shadowRoot!.querySelector('video')!;
  const stream = await waitFor(() => streamOf(tile, StreamType.VIDEO), `${who}'s video stream`);
  await waitFor(() => video.videoWidth > 0 && !video.paused && !placeholderShown(tile), `${who}'s video playing`);
  await keepsArriving(stream, 'framesDecoded', `${who}'s frames`);
}

/** Waits until the tile plays the participant's audio and packets keep arriving. */
export async function playsAudio(tile: IvsParticipant, who: string): Promise<void> {
  const stream = await waitFor(() => streamOf(tile, StreamType.AUDIO), `${who}'s audio stream`);
  const video = tile.shadowRoot!.querySelector('video')!;
  await waitFor(() => playedKinds(tile).includes('audio') && !video.paused && !video.muted, `${who}'s audio playing`);
  await keepsArriving(stream, 'packetsReceived', `${who}'s audio packets`);
}
