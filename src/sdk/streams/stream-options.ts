export interface LocalStageStreamOptions {
  /** Lowest video bitrate, in kbps: validated and kept, though browsers offer no way to impose it. */
  minBitrate?: number;
  /** Highest video bitrate, in kbps (same as `maxVideoBitrateKbps`). */
  maxBitrate?: number;
  maxVideoBitrateKbps?: number;
  /** Highest video frame rate, in frames per second. */
  maxFramerate?: number;
  /** Highest audio bitrate, in kbps (default 64). */
  maxAudioBitrateKbps?: number;
  /** Stereo audio: validated and kept; the server negotiates Opus in its default (mono) mode for now. */
  stereo?: boolean;
  simulcast?: { enabled: boolean };
}

/** Publishing limits of a stage (stage-model §1). */
export const STREAM_LIMITS = Object.freeze({
  videoKbps: [50, 2500],
  framerate: [10, 30],
  audioKbps: [12, 128],
} as const);

export const DEFAULT_AUDIO_KBPS = 64;

/**
 * Checks options against the stage limits. Out-of-range values are an error,
 * not a silent clamp, so an app learns at once that the stage will not honour
 * them. Options of the other kind (an audio bitrate on a video stream) are
 * ignored, as apps often pass one options object to every stream.
 */
export function validateStreamOptions(options: unknown): LocalStageStreamOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError('LocalStageStream options must be an object');
  const o = options as Record<string, unknown>;
  const [minKbps, maxKbps] = STREAM_LIMITS.videoKbps;
  const [minFps, maxFps] = STREAM_LIMITS.framerate;
  const [minAudio, maxAudio] = STREAM_LIMITS.audioKbps;
  const valid: LocalStageStreamOptions = {
    minBitrate: inRange(o, 'minBitrate', minKbps, maxKbps, 'kbps'),
    maxBitrate: inRange(o, 'maxBitrate', minKbps, maxKbps, 'kbps'),
    maxVideoBitrateKbps: inRange(o, 'maxVideoBitrateKbps', minKbps, maxKbps, 'kbps'),
    maxFramerate: inRange(o, 'maxFramerate', minFps, maxFps, 'fps'),
    maxAudioBitrateKbps: inRange(o, 'maxAudioBitrateKbps', minAudio, maxAudio, 'kbps'),
    stereo: optionalBoolean(o.stereo, 'stereo'),
    simulcast: simulcastOption(o.simulcast),
  };
  const max = valid.maxVideoBitrateKbps ?? valid.maxBitrate;
  if (valid.minBitrate !== undefined && max !== undefined && valid.minBitrate > max) {
    throw new RangeError(`minBitrate (${valid.minBitrate} kbps) is above the maximum bitrate (${max} kbps)`);
  }
  return Object.fromEntries(Object.entries(valid).filter(([, value]) => value !== undefined));
}

function inRange(o: Record<string, unknown>, key: string, min: number, max: number, unit: string): number | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${key} must be a number of ${unit}`);
  if (value < min || value > max) throw new RangeError(`${key} must be between ${min} and ${max} ${unit}, got ${value}`);
  return value;
}

function optionalBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new TypeError(`${key} must be a boolean`);
}

function simulcastOption(value: unknown): { enabled: boolean } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as { enabled?: unknown }).enabled !== 'boolean') {
    throw new TypeError('simulcast must be { enabled: boolean }');
  }
  return { enabled: (value as { enabled: boolean }).enabled };
}
