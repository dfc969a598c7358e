import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's simple-whip-client installs its binary under this name. */
const WHIP_CLIENT = 'whip-client';

/**
 * GStreamer test sources encoded as the client's README does: Opus and VP8,
 * payloaded for webrtcbin. `pattern=ball` moves, so every frame differs.
 */
const AUDIO_PIPELINE =
  'audiotestsrc is-live=true wave=red-noise ! audioconvert ! audioresample ! queue ! opusenc ! rtpopuspay pt=100 ssrc=1 ! queue ! application/x-rtp,media=audio,encoding-name=OPUS,payload=100';
const VIDEO_PIPELINE =
  'videotestsrc is-live=true pattern=ball ! videoconvert ! queue ! vp8enc deadline=1 ! rtpvp8pay pt=96 ssrc=2 ! queue ! application/x-rtp,media=video,encoding-name=VP8,payload=96';

export interface WhipClientProcess {
  output(): string;
  /** SIGINT, as Ctrl+C: the client sends DELETE for its session and exits. */
  stop(): Promise<void>;
}

/** Builds gupnp-igd-stub.c (see there why) into a throwaway folder for LD_LIBRARY_PATH. */
function buildGupnpIgdStub(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gupnp-igd-stub-'));
  const source = fileURLToPath(new URL('./gupnp-igd-stub.c', import.meta.url));
  execFileSync('cc', ['-shared', '-fPIC', '-Wl,-soname,libgupnp-igd-1.0.so.4', '-o', join(dir, 'libgupnp-igd-1.0.so.4'), source]);
  return dir;
}

/** Starts Debian's `whip-client` publishing test audio and video to `whipUrl` with a bearer token. */
export function startWhipClient(whipUrl: string, token: string): WhipClientProcess {
  const stubDir = buildGupnpIgdStub();
  const args = ['-u', whipUrl, '-t', token, '-A', AUDIO_PIPELINE, '-V', VIDEO_PIPELINE, '--disable-colors', '--log-level', '4'];
  const child: ChildProcess = spawn(WHIP_CLIENT, args, {
    env: { ...process.env, LD_LIBRARY_PATH: stubDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  child.on('error', (error) => (out += `\n${WHIP_CLIENT} could not start: ${error.message} (apt-get install simple-whip-client)`));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      rmSync(stubDir, { recursive: true, force: true });
    },
  };
}
