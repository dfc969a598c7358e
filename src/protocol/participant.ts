import { WireFormatError, expectBoolean, expectObject, expectString, expectStringRecord, optionalString } from './validate.js';

export type Capability = 'publish' | 'subscribe';
export type MediaKind = 'audio' | 'video';

/** A participant as the events channel describes it. */
export interface WireParticipant {
  id: string;
  userId?: string;
  attributes: Record<string, string>;
  capabilities: Capability[];
  /** True while the participant has a connected WHIP session. */
  published: boolean;
  /** Kinds the participant publishes (empty while not published). */
  kinds: MediaKind[];
  audioMuted: boolean;
  videoMuted: boolean;
}

export function parseWireParticipant(value: unknown, what = 'participant'): WireParticipant {
  const o = expectObject(value, what);
  if (!Array.isArray(o.capabilities)) throw new WireFormatError(`${what}.capabilities must be an array`);
  const capabilities = o.capabilities.map((c): Capability => {
    if (c !== 'publish' && c !== 'subscribe') throw new WireFormatError(`${what}.capabilities has an unknown value`);
    return c;
  });
  if (!Array.isArray(o.kinds)) throw new WireFormatError(`${what}.kinds must be an array`);
  const kinds = o.kinds.map((k): MediaKind => {
    if (k !== 'audio' && k !== 'video') throw new WireFormatError(`${what}.kinds has an unknown value`);
    return k;
  });
  return {
    id: expectString(o, 'id', what),
    userId: optionalString(o, 'userId', what),
    attributes: expectStringRecord(o.attributes, `${what}.attributes`),
    capabilities,
    published: expectBoolean(o, 'published', what),
    kinds,
    audioMuted: expectBoolean(o, 'audioMuted', what),
    videoMuted: expectBoolean(o, 'videoMuted', what),
  };
}
