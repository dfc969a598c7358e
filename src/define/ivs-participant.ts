/** Registers `<ivs-participant>` (side effect only). */
import { IvsParticipant } from '../elements/participant/participant.js';

// Defining twice throws, e.g. when two bundles load: keep the first definition.
if (!customElements.get('ivs-participant')) customElements.define('ivs-participant', IvsParticipant);

declare global {
  interface HTMLElementTagNameMap {
    'ivs-participant': IvsParticipant;
  }
}
