export interface StageServerProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}
export const BUILT_SERVER: string[];
export const SOURCE_SERVER: string[];
export function startServerProcess(args?: string[], env?: Record<string, string>): Promise<StageServerProcess>;
export function devServerEnv(env: Record<string, string>): Record<string, string>;
export function printedCredentials(output: string): { accessKeyId: string; secretAccessKey: string };
