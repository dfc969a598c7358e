export { IvsElement } from './ivs-element.js';
export { StageEventsController } from './stage-events-controller.js';
export type { StageEventSource, StageEventsControllerOptions } from './stage-events-controller.js';
export { StageConsumer } from './stage-consumer.js';
export type { StageConsumerOptions } from './stage-consumer.js';
