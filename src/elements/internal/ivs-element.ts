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
}
