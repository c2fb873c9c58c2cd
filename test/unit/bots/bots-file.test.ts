/**
 * `npm start`'s bots (SPEC 4.1, `local/bots-config.ts`): where BOTS_FILE points, and which default
 * entries it replaces (no example bot runs for those).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import defaultBots from '../../../bots/bots.json';
import { parseBotsConfig } from '../../../lambdas/core/bots-config';
import { BotsFileError, DEFAULT_BOTS_FILE, loadBots, mergeBotsFile, resolveBotsFile } from '../../../local/bots-config';

const DEFAULT = parseBotsConfig(defaultBots);
const PACKAGE_ROOT = '/home/ana/project';

describe('resolveBotsFile', () => {
  it('resolves a relative BOTS_FILE against INIT_CWD, the directory npm was run in, not the package root', () => {
    expect(resolveBotsFile('my-bots.json', { INIT_CWD: '/home/ana/project/sub' }, PACKAGE_ROOT)).toBe('/home/ana/project/sub/my-bots.json');
    expect(resolveBotsFile('../bots/x.json', { INIT_CWD: '/home/ana/project/sub' }, PACKAGE_ROOT)).toBe('/home/ana/project/bots/x.json');
  });

  it('falls back to the working directory without INIT_CWD (or with an empty one)', () => {
    expect(resolveBotsFile('my-bots.json', {}, PACKAGE_ROOT)).toBe('/home/ana/project/my-bots.json');
    expect(resolveBotsFile('./conf/my-bots.json', { INIT_CWD: '' }, PACKAGE_ROOT)).toBe('/home/ana/project/conf/my-bots.json');
  });

  it('keeps an absolute BOTS_FILE as it is (normalized)', () => {
    expect(resolveBotsFile('/etc/bots//mine.json', { INIT_CWD: '/home/ana/project/sub' }, PACKAGE_ROOT)).toBe('/etc/bots/mine.json');
  });
});

describe('mergeBotsFile', () => {
  it('says which default entries BOTS_FILE replaced, keeping the merge of mergeBotsConfig', () => {
    const { config, replaced } = mergeBotsFile(DEFAULT, {
      bots: [
        { name: 'Calculator', delivery: 'queue' },
        { name: 'Weather', delivery: 'queue' },
      ],
    });
    expect(config.bots.map((bot) => bot.name)).toEqual(['Manager', 'Echo', 'Calculator', 'Weather']);
    expect(config.manager).toBe('Manager');
    expect(replaced).toEqual(['Calculator']);
  });

  it('counts a replaced Echo and a replaced Manager entry, but not a new example manager', () => {
    expect(
      mergeBotsFile(DEFAULT, {
        bots: [
          { name: 'Echo', delivery: 'websocket', invite_url: 'https://echo.example.com/invite' },
          { name: 'Manager', delivery: 'queue' },
        ],
      }).replaced,
    ).toEqual(['Manager', 'Echo']);
    // bots/transparent-manager.json adds an example manager, it replaces none of the default entries
    const transparent = mergeBotsFile(DEFAULT, { manager: 'Transparent', bots: [{ name: 'Transparent', delivery: 'queue' }] });
    expect(transparent.config.manager).toBe('Transparent');
    expect(transparent.replaced).toEqual([]);
  });

  it('replaces nothing when BOTS_FILE only changes the manager', () => {
    expect(mergeBotsFile(DEFAULT, { manager: null })).toEqual({ config: { manager: null, bots: DEFAULT.bots.slice(1) }, replaced: [] });
  });
});

describe('loadBots', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bots-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the default file without BOTS_FILE', async () => {
    expect(await loadBots({})).toEqual({ config: DEFAULT, replaced: [] });
    expect(DEFAULT_BOTS_FILE).toMatch(/\/bots\/bots\.json$/);
  });

  it('reads a relative BOTS_FILE from INIT_CWD and merges it', async () => {
    writeFileSync(join(dir, 'my-bots.json'), JSON.stringify({ bots: [{ name: 'Calculator', delivery: 'queue', required: true }] }));
    const loaded = await loadBots({ botsFile: 'my-bots.json', env: { INIT_CWD: dir }, cwd: '/nowhere' });
    expect(loaded.botsFile).toBe(join(dir, 'my-bots.json'));
    expect(loaded.replaced).toEqual(['Calculator']);
    expect(loaded.config.bots.find((bot) => bot.name === 'Calculator')).toEqual({ name: 'Calculator', delivery: 'queue', required: true });
  });

  it('refuses a missing BOTS_FILE naming its resolved absolute path', async () => {
    const attempt = loadBots({ botsFile: 'absent.json', env: { INIT_CWD: dir }, cwd: '/nowhere' });
    await expect(attempt).rejects.toThrow(BotsFileError);
    await expect(loadBots({ botsFile: 'absent.json', env: { INIT_CWD: dir }, cwd: '/nowhere' })).rejects.toThrow(
      `cannot read bots file ${join(dir, 'absent.json')}: no such file`,
    );
  });

  it('refuses a BOTS_FILE that is not JSON, or not a valid bots file, naming it', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"bots": [');
    writeFileSync(join(dir, 'list.json'), '[]');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ manager: 'Nobody' }));
    const load = (file: string) => loadBots({ botsFile: join(dir, file), cwd: '/nowhere' });
    await expect(load('broken.json')).rejects.toThrow(`bots file ${join(dir, 'broken.json')} is not valid JSON`);
    await expect(load('list.json')).rejects.toThrow(`bots file ${join(dir, 'list.json')} must be a JSON object`);
    await expect(load('bad.json')).rejects.toThrow(`bots file ${join(dir, 'bad.json')}: invalid bots configuration: manager "Nobody" is not listed in bots`);
  });
});
