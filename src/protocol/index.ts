export * from './validate.js';
export * from './token.js';
export * from './participant.js';
export * from './events.js';
export * from './media.js';
