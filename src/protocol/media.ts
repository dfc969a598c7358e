import { expectBoolean, expectObject, parseJson } from './validate.js';

/**
 * WHIP/WHEP conventions beyond RFC 9725:
 * - POST `whip_url` (publish) or `whepUrlFor(whip_url, id)` (subscribe) with
 *   `Content-Type: application/sdp` and `Authorization: Bearer <token>` answers
 *   201 with the SDP answer and a `Location` of the session resource.
 * - DELETE on that resource ends the session.
 * - PATCH on a WHEP resource with `Content-Type: application/json` and a
 *   `SubscriptionUpdate` starts or stops video forwarding without renegotiation
 *   (AUDIO_VIDEO ↔ AUDIO_ONLY). The query `?video=false` on the POST starts
 *   a subscription audio-only.
 */
export interface SubscriptionUpdate {
  video: boolean;
}

export const SDP_CONTENT_TYPE = 'application/sdp';

export function parseSubscriptionUpdate(text: string): SubscriptionUpdate {
  const o = expectObject(parseJson(text, 'subscription update'), 'subscription update');
  return { video: expectBoolean(o, 'video', 'subscription update') };
}
