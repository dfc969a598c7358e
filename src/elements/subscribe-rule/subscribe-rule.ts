import { css } from 'lit';
import { property } from 'lit/decorators.js';
import type { StageParticipantInfo, SubscribeType } from '../../sdk/index.js';
import type { StageHandle, SubscribeRuleSource } from '../context/stage-handle.js';
import { IvsElement } from '../internal/ivs-element.js';
import { StageConsumer } from '../internal/stage-consumer.js';
import { subscribeTypeFromAttribute } from '../stage/strategy.js';
import type { SubscribeAttribute } from '../stage/strategy.js';

/**
 * @summary A subscription rule inside `<ivs-stage>`: what to receive from the remote participants it matches.
 *
 * @tag ivs-subscribe-rule
 *
 * @description
 * Matches remote participants by a token attribute (`attribute`, optionally
 * with `value`), by `user-id` or by `participant-id`; every condition given
 * must hold, and a rule with none matches everyone. For each remote
 * participant the first matching rule in document order decides what is
 * received; the stage's own `subscribe` applies when no rule matches. A
 * participant received with `none` gets no tile in the stage's grid.
 * Adding, removing or changing a rule refreshes the strategy. The element
 * renders nothing.
 *
 * ```html
 * <ivs-stage token="…">
 *   <ivs-subscribe-rule attribute="role" value="moderator" subscribe="none"></ivs-subscribe-rule>
 *   <ivs-local-stream publish></ivs-local-stream>
 * </ivs-stage>
 * ```
 */
export class IvsSubscribeRule extends IvsElement implements SubscribeRuleSource {
  static override styles = css`
    :host {
      display: none;
    }
  `;

  private readonly stageConsumer = new StageConsumer(this, {
    events: [],
    onHandleChange: (next, previous) => this.moveToStage(next, previous),
  });

  /** Name of a token attribute (from `CreateParticipantToken`) the participant must carry. */
  @property() attribute?: string;

  /** The value that token attribute must have; without it, carrying the attribute is enough. */
  @property() value?: string;

  /** The `userId` the participant must have. */
  @property({ attribute: 'user-id' }) userId?: string;

  /** The participant id (`StageParticipantInfo.id`) the participant must have. */
  @property({ attribute: 'participant-id' }) participantId?: string;

  /** What to receive from matching participants: `audio-video` (default), `audio-only` or `none`. */
  @property() subscribe: SubscribeAttribute = 'audio-video';

  /** The SDK's `SubscribeType` for `subscribe`. */
  get subscribeType(): SubscribeType {
    return subscribeTypeFromAttribute(this.subscribe);
  }

  /** Whether every condition of this rule holds for `participant`. */
  appliesTo(participant: StageParticipantInfo): boolean {
    if (this.participantId != null && participant.id !== this.participantId) return false;
    if (this.userId != null && participant.userId !== this.userId) return false;
    if (this.attribute != null) {
      const actual = participant.attributes?.[this.attribute];
      if (actual === undefined || (this.value != null && actual !== this.value)) return false;
    }
    return true;
  }

  protected override updated(): void {
    // Any change may change a decision. The first update coalesces with the
    // refresh that adding the rule asked for, and a refresh that changes
    // nothing costs nothing.
    this.stageConsumer.handle?.requestRefresh();
  }

  private moveToStage(next: StageHandle | undefined, previous: StageHandle | undefined): void {
    previous?.removeRule(this);
    next?.addRule(this);
  }
}
