/** Registers `<ivs-local-stream>` (side effect only). */
import { IvsLocalStream } from '../elements/local-stream/local-stream.js';

// Defining twice throws, e.g. when two bundles load: keep the first definition.
if (!customElements.get('ivs-local-stream')) customElements.define('ivs-local-stream', IvsLocalStream);

declare global {
  interface HTMLElementTagNameMap {
    'ivs-local-stream': IvsLocalStream;
  }
}
