import { expect, fixture, html } from '@open-wc/testing';
import { IvsSubscribeRule, StageEvents, StageParticipantInfo, SubscribeType } from '../../src/index.js';
import type { IvsStage, Stage } from '../../src/index.js';
import { afterEach, beforeEach, countCalls, describe, it, recordJoins, remoteInfo, settle, unsignedToken } from './support.js';

function withRole(id: string, role: string): StageParticipantInfo {
  return new StageParticipantInfo(id, false, id, { role }, new Set(['publish', 'subscribe']));
}

describe('<ivs-subscribe-rule>', () => {
  let joins: ReturnType<typeof recordJoins>;
  beforeEach(() => {
    joins = recordJoins();
  });
  afterEach(() => joins.restore());

  async function stageWith(rules: ReturnType<typeof html>): Promise<IvsStage & { stage: Stage }> {
    const el = await fixture<IvsStage>(html`<ivs-stage token=${unsignedToken()} subscribe="audio-only">${rules}</ivs-stage>`);
    await settle();
    return el as IvsStage & { stage: Stage };
  }

  it('matches by token attribute, value, user id and participant id; every condition must hold', async () => {
    const rule = await fixture<IvsSubscribeRule>(html`<ivs-subscribe-rule attribute="role"></ivs-subscribe-rule>`);
    expect(rule.appliesTo(withRole('a', 'guest'))).to.equal(true);
    expect(rule.appliesTo(remoteInfo('b', 'b')), 'no role attribute').to.equal(false);
    rule.value = 'moderator';
    expect(rule.appliesTo(withRole('a', 'guest'))).to.equal(false);
    expect(rule.appliesTo(withRole('m', 'moderator'))).to.equal(true);
    rule.userId = 'someone-else';
    expect(rule.appliesTo(withRole('m', 'moderator'))).to.equal(false);
    rule.userId = undefined;
    rule.participantId = 'm';
    expect(rule.appliesTo(withRole('m', 'moderator'))).to.equal(true);
    expect(rule.appliesTo(withRole('n', 'moderator'))).to.equal(false);
    expect(getComputedStyle(rule).display).to.equal('none');
  });

  it('the first matching rule in document order decides; the stage subscribe is the fallback', async () => {
    const el = await stageWith(html`
      <ivs-subscribe-rule user-id="vip" subscribe="audio-video"></ivs-subscribe-rule>
      <ivs-subscribe-rule attribute="role" value="moderator" subscribe="none"></ivs-subscribe-rule>
      <ivs-subscribe-rule attribute="role" subscribe="audio-video"></ivs-subscribe-rule>
    `);
    const ask = (info: StageParticipantInfo) => el.strategy.shouldSubscribeToParticipant(info);
    expect(ask(withRole('m', 'moderator'))).to.equal(SubscribeType.NONE);
    expect(ask(withRole('g', 'guest'))).to.equal(SubscribeType.AUDIO_VIDEO);
    expect(ask(remoteInfo('x', 'x'))).to.equal(SubscribeType.AUDIO_ONLY);
    const vipModerator = new StageParticipantInfo('v', false, 'vip', { role: 'moderator' }, new Set());
    expect(ask(vipModerator)).to.equal(SubscribeType.AUDIO_VIDEO);
  });

  it('refreshes the strategy when a rule is added, changed or removed, and updates the tiles', async () => {
    const el = await stageWith(html``);
    const refreshes = countCalls(el.stage, 'refreshStrategy');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, withRole('m', 'moderator'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('ivs-participant')).to.have.length(1);

    const rule = document.createElement('ivs-subscribe-rule');
    rule.attribute = 'role';
    rule.subscribe = 'none';
    el.append(rule);
    await settle();
    await el.updateComplete;
    expect(refreshes.count).to.equal(1);
    expect(el.shadowRoot!.querySelectorAll('ivs-participant'), 'a participant received with none has no tile').to.have.length(0);

    rule.subscribe = 'audio-only';
    await settle();
    expect(refreshes.count).to.equal(2);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('ivs-participant')).to.have.length(1);

    rule.remove();
    await settle();
    expect(refreshes.count).to.equal(3);
  });
});
