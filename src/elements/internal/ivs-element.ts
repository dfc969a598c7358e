import { LitElement } from 'lit';
import type { IvsEvent } from '../events/ivs-event.js';

/** Base class of the `ivs-*` elements. */
export class IvsElement extends LitElement {
  /**
   * Dispatches one of the `ivs-*` event classes from this element and returns
   * it. Those classes always bubble and are composed, so listeners outside
   * any shadow root see them.
   */
  protected emit<E extends IvsEvent<unknown>>(event: E): E {
    this.dispatchEvent(event);
    return event;
  }

  /**
   * Registers this class under `name` unless that name is taken already
   * (e.g. two bundles on one page). A different class under the same name
   * is reported once, not thrown, so a page keeps working.
   */
  static define(name: string, elementClass: CustomElementConstructor = this): void {
    const existing = customElements.get(name);
    if (!existing) {
      customElements.define(name, elementClass);
    } else if (existing !== elementClass) {
      console.warn(`<${name}> is already defined by another class; keeping the first definition.`);
    }
  }
}
