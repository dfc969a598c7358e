export { IvsParticipant } from './participant.js';
