/**
 * Base class of every DOM event the elements dispatch.
 *
 * All of them bubble and cross shadow roots, so a page can listen once on an
 * ancestor (`document.addEventListener('ivs-streams-added', …)`), and none of
 * them can be cancelled. The payload lives on `detail`, typed per subclass, so
 * the shape matches what `CustomEvent` users expect.
 */
export abstract class IvsEvent<Detail> extends Event {
  readonly detail: Detail;

  protected constructor(type: `ivs-${string}`, detail: Detail) {
    super(type, { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}
