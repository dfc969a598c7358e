export { IvsLocalStream, DEFAULT_CONSTRAINTS } from './local-stream.js';
