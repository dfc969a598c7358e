import { SDP_CONTENT_TYPE } from '../../protocol/index.js';

/** A WHIP/WHEP request the server refused; `body` is its explanation, starting with a code where it has one. */
export class SdpExchangeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body = '',
  ) {
    super(message);
  }
}

/**
 * How long a WHIP/WHEP request may take: a server that accepted the
 * connection but stopped answering would otherwise hold the stage's
 * operations forever.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Sends an SDP offer to a WHIP/WHEP endpoint; returns the answer and the session resource URL. */
export async function postOffer(endpoint: string, token: string, offer: string): Promise<{ answer: string; resource: string }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': SDP_CONTENT_TYPE, authorization: `Bearer ${token}` },
    body: offer,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  if (response.status !== 201) throw new SdpExchangeError(response.status, `${endpoint} answered ${response.status}: ${body}`, body);
  const location = response.headers.get('location');
  if (!location) throw new SdpExchangeError(response.status, `${endpoint} sent no Location`);
  return { answer: body, resource: new URL(location, endpoint).toString() };
}

/** Ends a WHIP/WHEP session; failures are ignored because the server also ends sessions of participants that leave. */
export function deleteResource(resource: string, token: string): void {
  fetch(resource, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, keepalive: true }).catch(() => {});
}

/** Resolves once the peer connection is connected; rejects if it fails or takes too long. */
export function connected(pc: RTCPeerConnection, timeoutMs = 15000): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', onChange);
      if (error) reject(error);
      else resolve();
    };
    const onChange = () => {
      if (pc.connectionState === 'connected') finish();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') finish(new Error(`peer connection ${pc.connectionState}`));
    };
    const timer = setTimeout(() => finish(new Error('peer connection timed out')), timeoutMs);
    pc.addEventListener('connectionstatechange', onChange);
  });
}
