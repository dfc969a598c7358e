export interface StageServerProcess {
  url: string;
  output(): string;
  readonly pid: number;
  exited(): Promise<number | string | null>;
  freeze(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data folder; resolves with `performance.now()` when it listened. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}
export const BUILT_SERVER: string[];
export const SOURCE_SERVER: string[];
export function startServerProcess(args?: string[], env?: Record<string, string>): Promise<StageServerProcess>;
export function devServerEnv(env: Record<string, string>): Record<string, string>;
export function printedCredentials(output: string): { accessKeyId: string; secretAccessKey: string };
