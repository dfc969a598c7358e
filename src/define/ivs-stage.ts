/** Registers `<ivs-stage>` and the `<ivs-participant>` tiles it renders (side effect only). */
import { IvsStage } from '../elements/stage/stage.js';
import './ivs-participant.js';

// Defining twice throws, e.g. when two bundles load: keep the first definition.
if (!customElements.get('ivs-stage')) customElements.define('ivs-stage', IvsStage);

declare global {
  interface HTMLElementTagNameMap {
    'ivs-stage': IvsStage;
  }
}
