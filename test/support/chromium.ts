/**
 * Headless Chromium for the browser tests, driven by `playwright-core` (no browser download: it
 * uses the system's Chromium, on Debian `apt-get install -y chromium`).
 *
 * Each launch gets a fresh profile directory of its own, removed at `close()`. Playwright refuses
 * `--user-data-dir` among `launch()`'s arguments, so the profile is passed the way it wants it,
 * through `launchPersistentContext(<dir>)`, which starts Chromium with `--user-data-dir=<dir>`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts it; CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Quiet, offline, single-user: no sandbox (root in a container), no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launching a cold Chromium takes about a second; a busy CI machine gets more. */
const LAUNCH_TIMEOUT_MS = 30_000;

/**
 * Whether the browser tests run here: they do when Chromium is installed, and always under CI
 * (whose script installs it, so a missing browser there is a failure, not a skip).
 */
export function chromiumAvailability(): { run: true } | { run: false; reason: string } {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return { run: true };
  return {
    run: false,
    reason:
      `browser tests skipped: no Chromium at ${CHROMIUM_PATH} ` +
      '(install it with "apt-get install -y chromium", or set CHROMIUM_PATH; under CI=true they never skip)',
  };
}

export interface LaunchedChromium {
  context: BrowserContext;
  page: Page;
  profileDir: string;
  /** Closes the browser and removes its profile directory. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile; `env` is added to the browser's environment. */
export async function launchChromium(env: Record<string, string> = {}): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it ("apt-get install -y chromium") or set CHROMIUM_PATH`);
  }
  const profileDir = await mkdtemp(join(tmpdir(), 'chat-page-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...definedEnvironment(), ...env },
      timeout: LAUNCH_TIMEOUT_MS,
      viewport: { width: 900, height: 900 },
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    profileDir,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        await rm(profileDir, { recursive: true, force: true });
      }
    },
  };
}

function definedEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
