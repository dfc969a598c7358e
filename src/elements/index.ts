/** Element classes, events, context and controllers, without registering any tag. */
export * from './stage/index.js';
export * from './participant/index.js';
export * from './local-stream/index.js';
export * from './subscribe-rule/index.js';
export * from './events/index.js';
export * from './context/index.js';
export * from './internal/index.js';
