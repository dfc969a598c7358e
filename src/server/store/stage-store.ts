import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomAlphanumeric } from '../random-id.js';

export interface StageRecord {
  arn: string;
  id: string;
  name: string;
  tags: Record<string, string>;
  /** ISO 8601. */
  createdAt: string;
}

const STAGES_FILE = 'stages.json';
const STAGE_ID_LENGTH = 12;

/**
 * The stages that exist, kept in memory and persisted to `dataDir/stages.json`.
 * Mutations run one at a time and only take effect once written, so a failed
 * write leaves both the file and memory unchanged.
 */
export class StageStore {
  private stages: Map<string, StageRecord>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly arnPrefix: string,
    stages: StageRecord[],
  ) {
    this.stages = new Map(stages.map((s) => [s.arn, s]));
  }

  /** `arnPrefix` is everything before the stage id, e.g. `arn:aws:ivs:us-east-1:000000000000:stage/`. */
  static async open(dataDir: string, arnPrefix: string): Promise<StageStore> {
    await mkdir(dataDir, { recursive: true });
    const path = join(dataDir, STAGES_FILE);
    return new StageStore(path, arnPrefix, await readStagesFile(path));
  }

  create(input: { name?: string; tags?: Record<string, string> }): Promise<StageRecord> {
    return this.mutate((stages) => {
      let id = randomAlphanumeric(STAGE_ID_LENGTH);
      while (stages.has(this.arnPrefix + id)) id = randomAlphanumeric(STAGE_ID_LENGTH);
      const record = frozen({
        arn: this.arnPrefix + id,
        id,
        name: input.name ?? '',
        tags: { ...input.tags },
        createdAt: new Date().toISOString(),
      });
      stages.set(record.arn, record);
      return record;
    });
  }

  get(arn: string): StageRecord | undefined {
    return this.stages.get(arn);
  }

  /** Oldest first; ties (same millisecond) are broken by id so the order never changes between calls. */
  list(): StageRecord[] {
    return [...this.stages.values()].sort(compareStages);
  }

  findByName(name: string): StageRecord | undefined {
    return this.list().find((s) => s.name === name);
  }

  update(arn: string, changes: { name: string }): Promise<StageRecord | undefined> {
    return this.mutate((stages) => {
      const current = stages.get(arn);
      if (!current) return undefined;
      const record = frozen({ ...current, name: changes.name });
      stages.set(arn, record);
      return record;
    });
  }

  delete(arn: string): Promise<boolean> {
    return this.mutate((stages) => stages.delete(arn));
  }

  /** Applies `change` to a copy, persists the copy, then makes it current. */
  private mutate<T>(change: (stages: Map<string, StageRecord>) => T): Promise<T> {
    const run = async () => {
      const next = new Map(this.stages);
      const result = change(next);
      await writeAtomically(this.path, JSON.stringify({ stages: [...next.values()] }, null, 2));
      this.stages = next;
      return result;
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Sort order of `list()`; also used to resume a paginated listing after a given stage. */
export function compareStages(a: Pick<StageRecord, 'createdAt' | 'id'>, b: Pick<StageRecord, 'createdAt' | 'id'>): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Records are shared with callers, so nobody can change one behind the store's back. */
function frozen(record: StageRecord): StageRecord {
  Object.freeze(record.tags);
  return Object.freeze(record);
}

/** Readers see the old file or the new one, never a partial write. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tempPath = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tempPath, text, { mode: 0o600 });
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

async function readStagesFile(path: string): Promise<StageRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const stages = (data as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) throw new Error(`${path} must hold an object with a "stages" array`);
  return stages.map((value, i) => {
    if (!isStageRecord(value)) throw new Error(`${path}: stages[${i}] is not a valid stage record`);
    return frozen({ arn: value.arn, id: value.id, name: value.name, tags: { ...value.tags }, createdAt: value.createdAt });
  });
}

function isStageRecord(value: unknown): value is StageRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.arn === 'string' &&
    typeof r.id === 'string' &&
    typeof r.name === 'string' &&
    typeof r.createdAt === 'string' &&
    typeof r.tags === 'object' &&
    r.tags !== null &&
    !Array.isArray(r.tags) &&
    Object.values(r.tags).every((v) => typeof v === 'string')
  );
}
