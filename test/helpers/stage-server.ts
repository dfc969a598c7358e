import { executeServerCommand } from '@web/test-runner-commands';
/** Browser-side access to the stage server that web-test-runner started for this run. */
declare global {
  interface Window {
    __STAGE_SERVER__?: string;
  }
}

export function stageServerUrl(): string {
  const url = window.__STAGE_SERVER__;
  if (!url) throw new Error('no stage server: run the browser tests through web-test-runner');
  return url;
}

export interface TokenRequest {
  stage: string;
  userId?: string;
  publish?: boolean;
  subscribe?: boolean;
  attributes?: Record<string, string>;
  /** Another token for this existing participant (for exchangeToken). */
  participantId?: string;
}

export interface DevParticipant {
  token: string;
  participantId: string;
  stageArn: string;
}

/** A participant token from the server's development endpoint, with the ids it names. */
export async function fetchParticipant(request: TokenRequest): Promise<DevParticipant> {
  const params = new URLSearchParams({ stage: request.stage });
  if (request.userId) params.set('userId', request.userId);
  if (request.publish === false) params.set('publish', '0');
  if (request.subscribe === false) params.set('subscribe', '0');
  if (request.attributes) params.set('attributes', JSON.stringify(request.attributes));
  if (request.participantId) params.set('participantId', request.participantId);
  const response = await fetch(`${stageServerUrl()}/dev/token?${params}`);
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as DevParticipant;
}

export async function fetchToken(request: TokenRequest): Promise<string> {
  return (await fetchParticipant(request)).token;
}

/** A fresh stage name, so tests never see each other's participants. */
export function uniqueStageName(prefix = 'test'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Runs a control-plane operation through the official AWS client on the test runner's side (see stage-server-plugin.mjs). */
export async function stageControl<T = Record<string, unknown>>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
  const result = (await executeServerCommand('stage-control', { operation, input })) as { output?: T; error?: { name: string; message: string } };
  if (result.error) throw Object.assign(new Error(result.error.message), { name: result.error.name });
  return result.output as T;
}

/** A token for an existing participant that expires in `seconds`, signed as an application would (see stage-server-plugin.mjs). */
export async function shortLivedToken(participant: DevParticipant, seconds: number): Promise<string> {
  return (await executeServerCommand('app-token', { stageArn: participant.stageArn, participantId: participant.participantId, seconds })) as string;
}
