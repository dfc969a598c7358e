/** Registers `<ivs-subscribe-rule>` (side effect only). */
import { IvsSubscribeRule } from '../elements/subscribe-rule/subscribe-rule.js';

// Defining twice throws, e.g. when two bundles load: keep the first definition.
if (!customElements.get('ivs-subscribe-rule')) customElements.define('ivs-subscribe-rule', IvsSubscribeRule);

declare global {
  interface HTMLElementTagNameMap {
    'ivs-subscribe-rule': IvsSubscribeRule;
  }
}
