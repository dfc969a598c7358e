import type { StageRecord } from '../store/stage-store.js';

export interface StageEndpoints {
  /** WebSocket URL of the events channel. */
  events: string;
  /** WHIP endpoint for publishing. */
  whip: string;
}

/** Endpoints under the server's public origin; a path prefix (behind a reverse proxy) is kept. */
export function stageEndpoints(publicOrigin: string): StageEndpoints {
  const base = new URL(publicOrigin);
  const prefix = base.pathname.replace(/\/+$/, '');
  base.search = '';
  base.hash = '';
  const whip = new URL(base);
  whip.pathname = `${prefix}/whip`;
  const events = new URL(base);
  events.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  events.pathname = `${prefix}/events`;
  return { events: events.toString(), whip: whip.toString() };
}

/** The `Stage` shape of GetStage, CreateStage and UpdateStage responses. */
export function toStage(record: StageRecord, endpoints: StageEndpoints) {
  return { ...toStageSummary(record), ...(record.activeSessionId !== undefined && { activeSessionId: record.activeSessionId }), endpoints };
}

/** The `StageSummary` shape of ListStages. */
export function toStageSummary(record: StageRecord) {
  return { arn: record.arn, name: record.name, tags: record.tags };
}
