import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JitteredTicker } from '../../src/server/media/sfu/jittered-ticker.js';

describe('media: jittered ticker (sender reports)', () => {
  it('runs each job once per interval drawn from 0.5–1.5 times the mean, on a shared timer, until it is removed', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let clock = 0;
    const draws = [0, 0.999, 0.5];
    let draw = 0;
    t.mock.method(Math, 'random', () => draws[draw++ % draws.length]);
    const ticker = new JitteredTicker(1000, 50, () => clock);
    const runs: [string, number][] = [];
    const stopA = ticker.add(() => runs.push(['a', clock])); // due at 500
    const stopB = ticker.add(() => runs.push(['b', clock])); // due at 1499
    const advance = (ms: number) => {
      for (let i = 0; i < ms / 50; i++) {
        clock += 50;
        t.mock.timers.tick(50);
      }
    };
    advance(1500);
    // a: at 500, then 1000 later (draw 0.5); b: at 1500 (its first tick at or past 1499).
    assert.deepEqual(runs, [['a', 500], ['a', 1500], ['b', 1500]]);
    stopA();
    advance(3000);
    assert.ok(runs.slice(3).every(([job]) => job === 'b'), 'a removed');
    assert.ok(runs.length > 3, 'b still runs');
    stopB();
    const count = runs.length;
    advance(3000);
    assert.equal(runs.length, count);
  });
});
