import { type MediaKind, type WireParticipant, parseWireParticipant } from './participant.js';
import { WireFormatError, expectBoolean, expectObject, expectOneOf, expectString, parseJson } from './validate.js';

/** Why the server ended a participant's connection (the SDK's StageLeftReason values). */
export const SERVER_LEAVE_REASONS = ['token-reused', 'participant-disconnected', 'stage-deleted', 'unknown'] as const;
export type ServerLeaveReason = (typeof SERVER_LEAVE_REASONS)[number];

/** Error codes the server reports on the events channel before closing it. */
export const EVENT_ERROR_CODES = [
  'token-invalid',
  'token-expired',
  'stage-not-found',
  'stage-at-capacity',
  'bad-message',
  'token-exchange-failed',
  'participant-disconnected',
  'rate-limited',
] as const;
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

/**
 * Client → server. The first message must be `join`; nothing else is accepted
 * before it. `exchange-token` swaps in a new token for the same participant;
 * the server answers `token-exchanged`, or `token-exchange-failed` and closes.
 * `ping` is answered `pong`: browsers cannot see WebSocket ping frames, so a
 * client learns this way that the server still answers.
 */
export type ClientMessage =
  | { type: 'join'; token: string }
  | { type: 'mute'; kind: MediaKind; muted: boolean }
  | { type: 'exchange-token'; token: string }
  | { type: 'ping' };

/** Close code of the events socket when the server shuts down: come back at once, it is restarting (RFC 6455 §7.4.1 registry). */
export const CLOSE_SERVER_RESTART = 1012;

/** Server → client. */
export type ServerMessage =
  | { type: 'joined'; self: WireParticipant; participants: WireParticipant[] }
  | { type: 'participant-joined'; participant: WireParticipant }
  | { type: 'participant-updated'; participant: WireParticipant }
  | { type: 'token-exchanged'; self: WireParticipant }
  | { type: 'participant-left'; participantId: string }
  | { type: 'left'; reason: ServerLeaveReason }
  | { type: 'error'; code: EventErrorCode; message: string }
  | { type: 'pong' };

export function parseClientMessage(text: string): ClientMessage {
  const o = expectObject(parseJson(text, 'message'), 'message');
  switch (o.type) {
    case 'join':
      return { type: 'join', token: expectString(o, 'token', 'join') };
    case 'mute':
      return { type: 'mute', kind: expectOneOf(o.kind, ['audio', 'video'] as const, 'mute.kind'), muted: expectBoolean(o, 'muted', 'mute') };
    case 'exchange-token':
      return { type: 'exchange-token', token: expectString(o, 'token', 'exchange-token') };
    case 'ping':
      return { type: 'ping' };
    default:
      throw new WireFormatError('message.type is unknown');
  }
}

export function parseServerMessage(text: string): ServerMessage {
  const o = expectObject(parseJson(text, 'message'), 'message');
  switch (o.type) {
    case 'joined': {
      if (!Array.isArray(o.participants)) throw new WireFormatError('joined.participants must be an array');
      return {
        type: 'joined',
        self: parseWireParticipant(o.self, 'joined.self'),
        participants: o.participants.map((p, i) => parseWireParticipant(p, `joined.participants[${i}]`)),
      };
    }
    case 'participant-joined':
    case 'participant-updated':
      return { type: o.type, participant: parseWireParticipant(o.participant, `${o.type}.participant`) };
    case 'token-exchanged':
      return { type: 'token-exchanged', self: parseWireParticipant(o.self, 'token-exchanged.self') };
    case 'participant-left':
      return { type: 'participant-left', participantId: expectString(o, 'participantId', 'participant-left') };
    case 'left':
      return { type: 'left', reason: expectOneOf(o.reason, SERVER_LEAVE_REASONS, 'left.reason') };
    case 'error':
      return { type: 'error', code: expectOneOf(o.code, EVENT_ERROR_CODES, 'error.code'), message: expectString(o, 'message', 'error') };
    case 'pong':
      return { type: 'pong' };
    default:
      throw new WireFormatError('message.type is unknown');
  }
}
