/**
 * The bots `npm start` runs with (SPEC 4.1): the shipped default file, with the file named by
 * `BOTS_FILE` merged into it. Kept apart from `start.ts` so that the path resolution and the merge
 * can be tested without starting anything.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { mergeBotsConfig, parseBotsConfig, type BotsConfig } from '../lambdas/core/bots-config';

/** The example bots' file shipped with the project. */
export const DEFAULT_BOTS_FILE = resolve(__dirname, '..', 'bots', 'bots.json');

/** The bots of a run, and where each entry came from. */
export interface LoadedBots {
  config: BotsConfig;
  /**
   * Names of the default file's entries that `BOTS_FILE` replaced: they only share an example's
   * name, so no example bot runs for them (`startExampleBots`' `replaced`).
   */
  replaced: string[];
  /** `BOTS_FILE` as an absolute path, when it was set. */
  botsFile?: string;
}

export class BotsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotsFileError';
  }
}

/**
 * Where `BOTS_FILE` points. `npm start` runs in the package root whatever directory the user typed
 * it in, and npm sets `INIT_CWD` to that directory: a relative path is resolved against it (else
 * against `cwd`, for a runner started without npm).
 *
 * @example resolveBotsFile('my-bots.json', { INIT_CWD: '/home/ana/project/sub' }, '/home/ana/project') // '/home/ana/project/sub/my-bots.json'
 */
export function resolveBotsFile(file: string, env: { INIT_CWD?: string }, cwd: string): string {
  if (isAbsolute(file)) return resolve(file);
  const base = env.INIT_CWD ? resolve(cwd, env.INIT_CWD) : cwd;
  return resolve(base, file);
}

/**
 * Merges a `BOTS_FILE`'s content into the default file's (SPEC 4.1: an entry with an existing
 * name replaces it, a `manager` key replaces the manager) and says which default entries it replaced.
 *
 * @throws InvalidBotsConfig when the result is not a valid bots file
 */
export function mergeBotsFile(base: BotsConfig, override: Partial<BotsConfig>): { config: BotsConfig; replaced: string[] } {
  const config = mergeBotsConfig(base, override);
  const baseNames = new Set(base.bots.map((bot) => bot.name));
  const overrideNames = new Set((Array.isArray(override.bots) ? override.bots : []).map((bot) => bot?.name));
  const replaced = config.bots.map((bot) => bot.name).filter((name) => baseNames.has(name) && overrideNames.has(name));
  return { config, replaced };
}

/**
 * Reads the default bots file and, when `botsFile` is set, merges it in (resolved with
 * `resolveBotsFile`). A file that cannot be read, or is not JSON, is refused naming its absolute path.
 */
export async function loadBots(options: {
  botsFile?: string;
  env?: { INIT_CWD?: string };
  cwd?: string;
  defaultFile?: string;
}): Promise<LoadedBots> {
  const base = parseBotsConfig(await readJson(options.defaultFile ?? DEFAULT_BOTS_FILE));
  if (!options.botsFile) return { config: base, replaced: [] };
  const botsFile = resolveBotsFile(options.botsFile, options.env ?? process.env, options.cwd ?? process.cwd());
  const override = await readJson(botsFile);
  if (typeof override !== 'object' || override === null || Array.isArray(override)) {
    throw new BotsFileError(`bots file ${botsFile} must be a JSON object {"manager": …, "bots": […]}`);
  }
  try {
    return { ...mergeBotsFile(base, override as Partial<BotsConfig>), botsFile };
  } catch (error) {
    throw new BotsFileError(`bots file ${botsFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new BotsFileError(`cannot read bots file ${file}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BotsFileError(`bots file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
