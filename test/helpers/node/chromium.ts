import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_ARGS } from './chromium-args.mjs';

export function chromiumPath(): string {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Error('no Chromium found: apt-get install chromium, or set CHROME_PATH');
  return found;
}

/** Launches headless Chromium; `close()` also removes its throwaway profile. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'stage-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, ...extraArgs],
  });
  // The profile is in use until the browser process has exited.
  browser.process()?.once('exit', () => rmSync(profile, { recursive: true, force: true, maxRetries: 3 }));
  return browser;
}
