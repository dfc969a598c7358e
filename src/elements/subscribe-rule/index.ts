export { IvsSubscribeRule } from './subscribe-rule.js';
