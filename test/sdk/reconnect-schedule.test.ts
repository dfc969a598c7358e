import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectDelayMs } from '../../src/sdk/signal/reconnect-schedule.js';

describe('reconnect schedule', () => {
  it('retries quickly first, then steadily, each wait within 20 % of its base', () => {
    const low = Array.from({ length: 6 }, (_, attempt) => reconnectDelayMs(attempt, () => 0));
    const high = Array.from({ length: 6 }, (_, attempt) => reconnectDelayMs(attempt, () => 1));
    assert.deepEqual(low, [80, 200, 400, 400, 400, 400]);
    assert.deepEqual(high, [120, 300, 600, 600, 600, 600]);
  });
});
