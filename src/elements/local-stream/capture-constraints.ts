import type { LocalStageStreamOptions } from '../../sdk/index.js';

export type MediaKind = 'audio' | 'video';

/** What `<ivs-local-stream>` captures: the camera and microphone, or a screen. */
export type CaptureSource = 'camera' | 'screen';

/** Camera and microphone, with the sizes the stage accepts (longest side at most 1280 px). */
export const DEFAULT_CONSTRAINTS: MediaStreamConstraints = Object.freeze({
  audio: true,
  video: { width: { ideal: 1280, max: 1280 }, height: { ideal: 720, max: 720 }, frameRate: { ideal: 30, max: 30 } },
});

/** A screen, window or tab without sound, at most 720p as the stage recommends for screen shares. */
export const SCREEN_CONSTRAINTS: DisplayMediaStreamOptions = Object.freeze({
  video: { width: { max: 1280 }, height: { max: 720 }, frameRate: { max: 30 } },
  audio: false,
});

/** The devices the page picked; unset fields leave the choice to the browser. */
export interface DeviceChoice {
  videoDeviceId?: string;
  audioDeviceId?: string;
  /** `user` (front) or `environment` (back) camera, a preference. */
  facingMode?: string;
}

/**
 * Constraints for one kind: the base constraints with the picked device
 * added, or `false` when the base does not capture that kind. A picked
 * device id is required exactly (the user chose it); a facing mode is a
 * preference, since not every device reports one.
 */
export function kindConstraints(base: MediaStreamConstraints, kind: MediaKind, choice: DeviceChoice): MediaTrackConstraints | false {
  const value = base[kind];
  if (!value) return false;
  const track: MediaTrackConstraints = value === true ? {} : { ...value };
  const deviceId = kind === 'video' ? choice.videoDeviceId : choice.audioDeviceId;
  if (deviceId) track.deviceId = { exact: deviceId };
  if (kind === 'video' && choice.facingMode) track.facingMode = { ideal: choice.facingMode };
  return track;
}

/** `getUserMedia` constraints for the camera and microphone with the picked devices. */
export function cameraConstraints(base: MediaStreamConstraints, choice: DeviceChoice): MediaStreamConstraints {
  return { audio: kindConstraints(base, 'audio', choice), video: kindConstraints(base, 'video', choice) };
}

/** The encoding attributes of `<ivs-local-stream>`, in the SDK's units. */
export interface EncodingChoice {
  /** kbps */
  maxBitrate?: number;
  maxFramerate?: number;
  simulcast: boolean;
}

/**
 * `LocalStageStream` options for the video stream. Unset limits are left out
 * so the SDK's defaults apply; simulcast is only mentioned when asked for.
 */
export function videoStreamOptions(choice: EncodingChoice): LocalStageStreamOptions {
  const options: LocalStageStreamOptions = {};
  if (choice.maxBitrate !== undefined && Number.isFinite(choice.maxBitrate)) options.maxBitrate = choice.maxBitrate;
  if (choice.maxFramerate !== undefined && Number.isFinite(choice.maxFramerate)) options.maxFramerate = choice.maxFramerate;
  if (choice.simulcast) options.simulcast = { enabled: true };
  return options;
}
