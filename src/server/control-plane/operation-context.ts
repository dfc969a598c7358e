import type { JsonObject } from '../../protocol/index.js';
import type { LiveStages } from '../live/live-stages.js';
import type { Stores } from '../store/stores.js';
import type { ParticipantTokens } from '../tokens/participant-tokens.js';
import type { TokenLeases } from '../tokens/token-leases.js';

export interface OperationContext {
  stores: Stores;
  tokens: ParticipantTokens;
  live: LiveStages;
  /** Ends a participant's WHIP and WHEP sessions, also those of one that never joined the events channel. */
  media: { closeParticipant(stageId: string, participantId: string): void };
  /** Connections holding tokens; those signed by a deleted key end with it. */
  leases: Pick<TokenLeases, 'keyDeleted'>;
  /** Origin clients reach this server at, e.g. `https://stage.example.com`. */
  publicOrigin: () => string;
}

/** One control-plane operation: a validated JSON request in, the JSON response body out. */
export type Operation = (input: JsonObject, ctx: OperationContext) => Promise<object>;
