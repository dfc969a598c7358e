/**
 * Debian's Janus for the capacity benchmark's comparison column. Janus gathers
 * no ICE candidates on a loopback interface, so it runs in its own network
 * namespace joined to the host by a veth pair: the host side has HOST_ADDRESS,
 * Janus' side JANUS_ADDRESS. It gets a generated config in a temporary folder
 * that loads only the VideoRoom plugin and the plain HTTP transport (bound to
 * JANUS_ADDRESS), with random admin secrets, no STUN/TURN, IPv4 only and ICE
 * on the veth interface only. Needs root (ip netns); installs nothing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const JANUS_INSTALL = 'apt-get install -y janus';
export const HOST_ADDRESS = '10.231.0.1';
export const JANUS_ADDRESS = '10.231.0.2';
const PREFIX = 24;
const HTTP_PORT = 8088;
const NAMESPACE_PREFIX = 'ivs-bench-janus-';
/** Janus' module folders on Debian (the package's compiled-in defaults). */
const MODULES = '/usr/lib/x86_64-linux-gnu/janus';
const WANTED = ['libjanus_videoroom.so', 'libjanus_http.so'];

export interface JanusProcess {
  pid: number;
  /** Base URL of the HTTP API, e.g. http://10.231.0.2:8088/janus. */
  apiUrl: string;
  /** The VideoRoom admin_key, needed to create rooms. */
  adminKey: string;
  /** As Janus reports it, e.g. 1.1.2. */
  version: string;
  /** The last lines Janus printed. */
  logTail(): string;
  stop(): Promise<void>;
}

/** Why Janus cannot run here, or undefined when it can. */
export function janusUnavailable(): string | undefined {
  if (process.env.BENCH_JANUS === '0') return 'BENCH_JANUS=0';
  try {
    execFileSync('which', ['janus'], { stdio: 'ignore' });
  } catch {
    return `janus is not installed (${JANUS_INSTALL}); the bench installs nothing`;
  }
  if (!existsSync(join(MODULES, 'plugins', WANTED[0]))) return `no ${WANTED[0]} under ${MODULES}/plugins`;
  if (process.getuid?.() !== 0) return 'Janus runs in a network namespace, which needs root';
  return undefined;
}

/**
 * Starts Janus in a fresh network namespace pinned to `cores` (taskset), and
 * resolves once its HTTP API answers. `eventLoops`: Janus' static pool of
 * media loop threads; without it, as Janus ships, each handle gets its own.
 */
export async function startJanus(cores: string, eventLoops?: number): Promise<JanusProcess> {
  removeStaleNamespaces();
  const namespace = `${NAMESPACE_PREFIX}${process.pid}`;
  const hostInterface = `ivsj${process.pid}h`.slice(0, 15);
  const janusInterface = 'ivsj0';
  const dir = mkdtempSync(join(tmpdir(), 'stage-bench-janus-'));
  const adminKey = randomBytes(16).toString('hex');
  let child: ChildProcess | undefined;
  const cleanUpNow = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (existsSync(`/run/netns/${namespace}`)) ip('netns', 'del', namespace);
    rmSync(dir, { recursive: true, force: true });
  };
  // Also on Ctrl-C or a kill: a Janus left running would keep its namespace and addresses.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUpNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const unregister = () => {
    process.off('exit', cleanUpNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('exit', cleanUpNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    setUpNamespace(namespace, hostInterface, janusInterface);
    writeConfig(dir, janusInterface, adminKey, eventLoops);
    const log = join(dir, 'janus.log');
    const logFd = openSync(log, 'w');
    child = spawn('ip', ['netns', 'exec', namespace, 'taskset', '-c', cores, 'janus', '--configs-folder', dir, '--config', join(dir, 'janus.jcfg'), '--interface', JANUS_ADDRESS, '--disable-colors'], {
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    const running = child;
    const logTail = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '');
    const apiUrl = `http://${JANUS_ADDRESS}:${HTTP_PORT}/janus`;
    const version = await waitForApi(apiUrl, running, logTail);
    return {
      pid: running.pid!,
      apiUrl,
      adminKey,
      version,
      logTail,
      async stop() {
        if (running.exitCode === null && running.signalCode === null) {
          const exited = new Promise((r) => running.once('exit', r));
          running.kill('SIGTERM');
          const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        unregister();
        cleanUpNow();
      },
    };
  } catch (err) {
    unregister();
    cleanUpNow();
    throw err;
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A namespace with the veth's far end at JANUS_ADDRESS, its near end at HOST_ADDRESS, and lo up. */
function setUpNamespace(namespace: string, hostInterface: string, janusInterface: string): void {
  ip('netns', 'add', namespace);
  ip('link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', janusInterface, 'netns', namespace);
  ip('addr', 'add', `${HOST_ADDRESS}/${PREFIX}`, 'dev', hostInterface);
  ip('link', 'set', hostInterface, 'up');
  ip('-n', namespace, 'addr', 'add', `${JANUS_ADDRESS}/${PREFIX}`, 'dev', janusInterface);
  ip('-n', namespace, 'link', 'set', janusInterface, 'up');
  ip('-n', namespace, 'link', 'set', 'lo', 'up');
}

/** Deletes namespaces left by an earlier bench process that no longer runs (deleting one also deletes its veth pair). */
function removeStaleNamespaces(): void {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const [, name, pid] of list.matchAll(new RegExp(`^(${NAMESPACE_PREFIX}(\\d+))`, 'gm'))) {
    if (existsSync(`/proc/${pid}`)) continue;
    const inside = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).trim();
    if (inside) throw new Error(`stale namespace ${name} still has processes (${inside.split('\n').join(', ')}); end them and run \`ip netns del ${name}\``);
    ip('netns', 'del', name);
  }
}

/** Every module in `folder` but the wanted ones, for a `disable` list. */
function allBut(folder: string): string {
  return readdirSync(join(MODULES, folder))
    .filter((name) => name.endsWith('.so') && !WANTED.includes(name))
    .join(',');
}

function writeConfig(dir: string, janusInterface: string, adminKey: string, eventLoops: number | undefined): void {
  const secret = randomBytes(16).toString('hex');
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${MODULES}/plugins"
  transports_folder = "${MODULES}/transports"
  events_folder = "${MODULES}/events"
  loggers_folder = "${MODULES}/loggers"
  debug_level = 3
  admin_secret = "${secret}"
  session_timeout = 0
  hide_dependencies = true${eventLoops ? `\n  event_loops = ${eventLoops}` : ''}
}
media: {
  ipv6 = false
}
nat: {
  ice_enforce_list = "${janusInterface}"
  ignore_mdns = true
}
plugins: {
  disable = "${allBut('plugins')}"
}
transports: {
  disable = "${allBut('transports')}"
}
events: {
  broadcast = false
  disable = "${allBut('events')}"
}
loggers: {
  disable = "${allBut('loggers')}"
}
`,
  );
  writeFileSync(
    join(dir, 'janus.transport.http.jcfg'),
    `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  ip = "${JANUS_ADDRESS}"
  port = ${HTTP_PORT}
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
`,
  );
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), `general: {\n  admin_key = "${adminKey}"\n}\n`);
}

/** Polls GET /info until Janus answers (15 s at most) and returns its version; fails early if Janus exits. */
async function waitForApi(apiUrl: string, child: ChildProcess, logTail: () => string): Promise<string> {
  const until = performance.now() + 15_000;
  while (performance.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`janus exited (${child.exitCode ?? child.signalCode}):\n${logTail()}`);
    try {
      const info = await (await fetch(`${apiUrl}/info`, { signal: AbortSignal.timeout(1000) })).json();
      if (info.janus === 'server_info') return String(info.version_string);
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`janus did not answer on ${apiUrl} within 15 s:\n${logTail()}`);
}
