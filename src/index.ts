/**
 * Elements bundle entry: registers `<ivs-stage>`, `<ivs-participant>` and
 * `<ivs-local-stream>`, and re-exports the Stage SDK and the element classes.
 */
import './define/ivs-stage.js';
import './define/ivs-local-stream.js';

export * from './sdk/index.js';
export * from './elements/index.js';
