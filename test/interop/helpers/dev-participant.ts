/** A participant token from the server's development endpoint (STAGE_DEV=1), with the ids it names. */
export interface DevParticipant {
  token: string;
  participantId: string;
  stageArn: string;
  whipUrl: string;
}

export async function devParticipant(serverUrl: string, stage: string, userId: string): Promise<DevParticipant> {
  const response = await fetch(`${serverUrl}/dev/token?${new URLSearchParams({ stage, userId })}`);
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as Omit<DevParticipant, 'whipUrl'>;
  // The WHIP endpoint is the one the token names, as a WHIP client is told it.
  const claims = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString('utf8')) as { whip_url: string };
  return { ...body, whipUrl: claims.whip_url };
}
