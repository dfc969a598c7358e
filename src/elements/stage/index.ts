export { IvsStage } from './stage.js';
export { createElementStrategy, subscribeTypeFromAttribute } from './strategy.js';
export type { SubscribeAttribute } from './strategy.js';
