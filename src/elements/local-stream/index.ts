export { IvsLocalStream } from './local-stream.js';
export { DEFAULT_CONSTRAINTS, SCREEN_CONSTRAINTS } from './capture-constraints.js';
export type { CaptureSource, DeviceChoice, EncodingChoice } from './capture-constraints.js';
