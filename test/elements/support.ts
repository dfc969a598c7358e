/**
 * Shared helpers of the element unit tests. They need no server: a Stage is
 * built from an unsigned token and `Stage.prototype.join` is replaced by a
 * recorder, so nothing touches the network; SDK events are simulated with
 * the public `stage.emit`.
 */
import { oneEvent } from '@open-wc/testing';
import { RemoteStageStream, Stage, StageParticipantInfo } from '../../src/index.js';
import type { IvsLocalStream } from '../../src/index.js';

/* Mocha's globals, typed here so the suite type-checks without @types/mocha. */
type Body = () => unknown;
interface MochaGlobals {
  describe(title: string, body: () => void): void;
  it(title: string, body: Body): void;
  beforeEach(body: Body): void;
  afterEach(body: Body): void;
}
const mocha = globalThis as unknown as MochaGlobals;
export const describe = (title: string, body: () => void): void => mocha.describe(title, body);
export const it = (title: string, body: Body): void => mocha.it(title, body);
export const beforeEach = (body: Body): void => mocha.beforeEach(body);
export const afterEach = (body: Body): void => mocha.afterEach(body);

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A syntactically valid, unsigned participant token (the client never verifies signatures). */
export function unsignedToken(claims: { jti?: string; user_id?: string; publish?: boolean } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    jti: claims.jti ?? `p${Math.random().toString(36).slice(2, 10)}`,
    resource: 'arn:aws:ivs:local:000000000000:stage/unit',
    topic: 'unit',
    events_url: 'ws://127.0.0.1:9/events',
    whip_url: 'http://127.0.0.1:9/whip',
    capabilities: { allow_publish: claims.publish ?? true, allow_subscribe: true },
    version: '1.0',
    user_id: claims.user_id ?? 'me',
    attributes: {},
    iat: now,
    exp: now + 3600,
  };
  return `${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(payload)}.`;
}

/** Replaces `Stage.prototype.join` with a recorder for the duration of a test. */
export function recordJoins(): { stages: Stage[]; restore(): void } {
  const original = Stage.prototype.join;
  const stages: Stage[] = [];
  Stage.prototype.join = async function (this: Stage) {
    stages.push(this);
  };
  return { stages, restore: () => void (Stage.prototype.join = original) };
}

/** Replaces one Stage instance's own bound method (`leave`, `refreshStrategy`) with a call counter. */
export function countCalls(stage: Stage, method: 'leave' | 'refreshStrategy'): { count: number } {
  const counter = { count: 0 };
  (stage as unknown as Record<string, () => unknown>)[method] = () => {
    counter.count++;
    return Promise.resolve();
  };
  return counter;
}

/** Lets queued microtasks (session sync, coalesced refreshes) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

export function remoteInfo(id: string, userId?: string): StageParticipantInfo {
  return new StageParticipantInfo(id, false, userId, {}, new Set(['publish', 'subscribe']));
}

export function localInfo(id: string, userId = 'me'): StageParticipantInfo {
  return new StageParticipantInfo(id, true, userId, {}, new Set(['publish', 'subscribe']));
}

/** Fake camera + microphone tracks (Chromium's fake devices, see web-test-runner.config.mjs). */
export async function fakeTracks(): Promise<MediaStreamTrack[]> {
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  return media.getTracks();
}

export async function remoteStreams(): Promise<RemoteStageStream[]> {
  return (await fakeTracks()).map((track) => new RemoteStageStream(track));
}

/** Resolves once the element has captured its devices. */
export async function captured(el: IvsLocalStream): Promise<void> {
  if (el.mediaStream) return;
  await oneEvent(el, 'ivs-local-stream-ready');
}
