import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Makes this process the only server using the database at `path`, and
 * clears what a crashed one left behind. SQLite (in this WebAssembly build)
 * locks with a `<path>.lock` directory that exists only during a call; a
 * process killed during one leaves it, and every later open would find the
 * database locked for ever. Owning the database first makes such a directory
 * provably stale. Returns the function that gives ownership up.
 */
export function ownDatabase(path: string): () => void {
  const ownerFile = `${path}.owner`;
  const release = () => {
    const left = (openHere.get(path) ?? 1) - 1;
    if (left > 0) {
      openHere.set(path, left);
      return;
    }
    openHere.delete(path);
    rmSync(ownerFile, { force: true });
  };
  const alreadyOpen = openHere.get(path);
  if (alreadyOpen) {
    openHere.set(path, alreadyOpen + 1);
    return release;
  }
  try {
    writeFileSync(ownerFile, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (owner !== process.pid && isRunning(owner)) {
      throw new Error(`another server process (pid ${owner}) is using ${path}; if none is, delete ${ownerFile}`);
    }
    writeFileSync(ownerFile, String(process.pid), { mode: 0o600 });
  }
  rmSync(`${path}.lock`, { recursive: true, force: true });
  openHere.set(path, 1);
  return release;
}

/** How many times this process has each database open (tests open one twice to simulate a restart). */
const openHere = new Map<string, number>();

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
