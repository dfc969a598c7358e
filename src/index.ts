/**
 * Elements bundle entry: registers `<ivs-stage>`, `<ivs-participant>`,
 * `<ivs-local-stream>` and `<ivs-subscribe-rule>`, and re-exports the Stage SDK and the element classes.
 */
import './define/ivs-stage.js';
import './define/ivs-local-stream.js';
import './define/ivs-subscribe-rule.js';

export * from './sdk/index.js';
export * from './elements/index.js';
