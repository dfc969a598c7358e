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
}

/** A participant token from the server's development endpoint. */
export async function fetchToken(request: TokenRequest): Promise<string> {
  const params = new URLSearchParams({ stage: request.stage });
  if (request.userId) params.set('userId', request.userId);
  if (request.publish === false) params.set('publish', '0');
  if (request.subscribe === false) params.set('subscribe', '0');
  if (request.attributes) params.set('attributes', JSON.stringify(request.attributes));
  const response = await fetch(`${stageServerUrl()}/dev/token?${params}`);
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A fresh stage name, so tests never see each other's participants. */
export function uniqueStageName(prefix = 'test'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
