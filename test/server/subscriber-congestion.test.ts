import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriberCongestion } from '../../src/server/media/sfu/subscriber-congestion.js';

const timings = { checkIntervalMs: 1000, overuseChecks: 3, initialBackoffMs: 5000, maxBackoffMs: 20_000 };

/** Runs one check per second from `start` with the given sent rate and estimate, returning the decisions that were not 'none'. */
function run(congestion: SubscriberCongestion, start: number, seconds: number, sentBps: number, estimateBps: number) {
  const decisions: [number, string][] = [];
  for (let t = start; t < start + seconds * 1000; t += 1000) {
    const decision = congestion.check(sentBps, estimateBps, t);
    if (decision !== 'none') decisions.push([t, decision]);
  }
  return decisions;
}

describe('media: per-subscriber congestion control', () => {
  it('leaves a stream alone while it fits the estimate, and before any estimate', () => {
    const congestion = new SubscriberCongestion(timings);
    assert.deepEqual(run(congestion, 0, 10, 1_500_000, 2_000_000), []);
    assert.deepEqual(run(congestion, 10_000, 10, 1_500_000, 0), []);
    assert.deepEqual(run(congestion, 20_000, 10, 1_700_000, 1_200_000), [], 'a receiver’s dip to ~70 % after a delay spike');
  });

  it('pauses video after three checks over the estimate, not after one or two', () => {
    const congestion = new SubscriberCongestion(timings);
    assert.equal(congestion.check(1_500_000, 300_000, 0), 'none');
    assert.equal(congestion.check(1_500_000, 300_000, 1000), 'none');
    assert.equal(congestion.check(1_500_000, 3_000_000, 2000), 'none', 'a good check resets the count');
    assert.deepEqual(run(congestion, 3000, 3, 1_500_000, 300_000), [[5000, 'pause-video']]);
    assert.ok(congestion.videoPaused);
  });

  it('tries video again after the backoff, and doubles it (up to the maximum) while the link keeps failing', () => {
    const congestion = new SubscriberCongestion(timings);
    const decisions = run(congestion, 0, 120, 1_500_000, 300_000);
    const pauses = decisions.filter(([, d]) => d === 'pause-video').map(([t]) => t);
    const resumes = decisions.filter(([, d]) => d === 'resume-video').map(([t]) => t);
    assert.deepEqual(resumes.map((t, i) => t - pauses[i]).slice(0, 5), [5000, 10_000, 20_000, 20_000, 20_000]);
  });

  it('starts from the initial backoff again after video ran well for a while', () => {
    const congestion = new SubscriberCongestion(timings);
    run(congestion, 0, 3, 1_500_000, 300_000); // paused at 2 s, resumes at 7 s
    assert.deepEqual(run(congestion, 3000, 5, 1_500_000, 300_000), [[7000, 'resume-video']]);
    assert.deepEqual(run(congestion, 8000, 60, 1_500_000, 2_000_000), []);
    const again = run(congestion, 68_000, 10, 1_500_000, 300_000);
    assert.deepEqual(again, [[70_000, 'pause-video'], [75_000, 'resume-video']]);
  });
});
