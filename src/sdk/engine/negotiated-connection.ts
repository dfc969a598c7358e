import { connected, deleteResource, postOffer } from './sdp-exchange.js';

/**
 * One peer connection negotiated over HTTP, as WHIP and WHEP do: one offer,
 * the answer, and a session resource that is DELETEd when the connection
 * closes.
 */
export abstract class NegotiatedConnection {
  protected readonly pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  /** The session's URL on the server, once it answered. */
  protected resource?: string;
  protected closed = false;

  constructor(
    protected readonly token: string,
    onFailed: () => void,
  ) {
    this.pc.addEventListener('connectionstatechange', () => {
      if (this.pc.connectionState === 'failed' && !this.closed) onFailed();
    });
  }

  close(): void {
    if (this.closed && !this.resource) return;
    this.closed = true;
    this.release();
    if (this.resource) deleteResource(this.resource, this.token);
    this.resource = undefined;
    this.pc.close();
  }

  /**
   * Offers to `endpoint` and resolves once media can flow; a close() meanwhile
   * wins. The offer goes out without waiting for our ICE candidates (gathering
   * takes ~120 ms even on loopback): the server's answer lists its candidates,
   * and it learns ours from our connectivity checks (peer-reflexive), so
   * nothing is lost and the connection is up sooner.
   */
  protected async negotiate(endpoint: string): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const { answer, resource } = await postOffer(endpoint, this.token, this.pc.localDescription!.sdp);
    this.resource = resource;
    if (this.closed) return this.close();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected(this.pc);
  }

  /** Frees what a subclass holds; called once, before the connection closes. */
  protected release(): void {}
}
