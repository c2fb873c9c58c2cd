import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CONTEXT, DEFAULT_BOTS_FILE, loadBotsFile, stackPropsFromContext } from '../../lib/app-context';
import { PROJECT_ROOT } from '../../lib/handler-function';

describe('app context', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bots-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('uses the shipped bots/bots.json by default', () => {
    // given no context
    const props = stackPropsFromContext(new App().node);

    // then
    expect(DEFAULT_BOTS_FILE).toBe(path.join(PROJECT_ROOT, 'bots', 'bots.json'));
    expect(props.bots).toEqual(loadBotsFile(DEFAULT_BOTS_FILE));
    expect(props).toEqual({ bots: props.bots });
  });

  it('reads botsFile, queuePrefix, openRooms, logLevel and apiGatewayCloudWatchRole', () => {
    // given
    const file = write('ok.json', JSON.stringify({ manager: null, bots: [{ name: 'Q', delivery: 'queue' }] }));
    const app = new App({
      context: {
        [CONTEXT.BOTS_FILE]: file,
        [CONTEXT.QUEUE_PREFIX]: 'chat',
        [CONTEXT.OPEN_ROOMS]: 'true',
        [CONTEXT.LOG_LEVEL]: 'warn',
        [CONTEXT.API_GATEWAY_CLOUDWATCH_ROLE]: false,
      },
    });

    // when / then
    expect(stackPropsFromContext(app.node)).toEqual({
      bots: { manager: null, bots: [{ name: 'Q', delivery: 'queue' }] },
      queuePrefix: 'chat',
      openRooms: true,
      logLevel: 'warn',
      apiGatewayCloudWatchRole: false,
    });
  });

  it.each([
    ['not JSON', '{', /^bots file .*broken\.json is not valid JSON: /],
    [
      'invalid',
      JSON.stringify({ manager: 'Echo', bots: [{ name: 'Echo', delivery: 'websocket', invite_url: 'https://x.example/i' }] }),
      /^bots file .*broken\.json: invalid bots configuration: manager "Echo" must be a queue bot$/,
    ],
    ['malformed', JSON.stringify({ bots: [] }), /^bots file .*broken\.json: invalid bots configuration: manager: /],
  ])('refuses a bots file that is %s, naming the file', (_, text, message) => {
    const file = write('broken.json', text);
    expect(() => loadBotsFile(file)).toThrow(message);
  });

  it('refuses a missing bots file', () => {
    expect(() => loadBotsFile(path.join(dir, 'absent.json'))).toThrow(/^cannot read bots file .*absent\.json: ENOENT/);
  });

  it.each([
    [CONTEXT.OPEN_ROOMS, 'yes', 'context openRooms must be true or false, not "yes"'],
    [CONTEXT.LOG_LEVEL, 'loud', 'context logLevel must be one of debug, info, warn, error, not "loud"'],
    [CONTEXT.QUEUE_PREFIX, '', 'context queuePrefix must be a non-empty string'],
  ])('refuses context %s=%j', (key, value, message) => {
    expect(() => stackPropsFromContext(new App({ context: { [key]: value } }).node)).toThrow(message);
  });

  it('stops bin/app.ts with the message alone when the bots file is bad', () => {
    // given a bad file passed as CDK context, the way `cdk synth -c botsFile=...` does
    const file = write('bad-app.json', JSON.stringify({ manager: 'Nobody', bots: [] }));

    // when the app runs
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bin/app.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ [CONTEXT.BOTS_FILE]: file }), CDK_OUTDIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });

    // then it fails with one clear line, no stack trace
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `ConversationsStack: bots file ${file}: invalid bots configuration: manager "Nobody" is not listed in bots`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
