import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidBotsConfig,
  invitableBots,
  mergeBotsConfig,
  parseBotsConfig,
  queueBotNames,
  type BotsConfig,
} from '../../../lambdas/core/bots-config';

const BASE: BotsConfig = {
  manager: 'Manager',
  bots: [
    { name: 'Manager', delivery: 'queue' },
    { name: 'Echo', delivery: 'websocket', invite_url: 'http://127.0.0.1:4000/invite/Echo' },
    { name: 'Calculator', delivery: 'queue', required: true },
  ],
};

function refusal(input: unknown): InvalidBotsConfig {
  try {
    parseBotsConfig(input);
  } catch (error) {
    if (error instanceof InvalidBotsConfig) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const readShipped = (file: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../bots', file), 'utf8'));

describe('parseBotsConfig', () => {
  it('accepts a valid file as it is', () => {
    expect(parseBotsConfig(structuredClone(BASE))).toEqual(BASE);
  });

  it('accepts a file without a manager', () => {
    const config = parseBotsConfig({ manager: null, bots: [{ name: 'Echo', delivery: 'queue' }] });
    expect(config.manager).toBeNull();
  });

  it('accepts the example bots file the project ships', () => {
    const config = parseBotsConfig(readShipped('bots.json'));
    expect(config.manager).toBe('Manager');
    expect(config.bots.map((b) => b.name)).toEqual(expect.arrayContaining(['Manager', 'Echo', 'Calculator']));
  });

  it('refuses a bot listed twice', () => {
    const error = refusal({ manager: null, bots: [{ name: 'Echo', delivery: 'queue' }, { name: 'Echo', delivery: 'queue' }] });
    expect(error.message).toBe('invalid bots configuration: bot "Echo" is listed twice');
    expect(error.name).toBe('InvalidBotsConfig');
    expect(error).toBeInstanceOf(Error);
  });

  it('refuses a websocket bot without invite_url', () => {
    expect(refusal({ manager: null, bots: [{ name: 'Echo', delivery: 'websocket' }] }).message).toBe(
      'invalid bots configuration: websocket bot "Echo" needs an invite_url',
    );
  });

  it('accepts a queue bot without invite_url', () => {
    expect(parseBotsConfig({ manager: null, bots: [{ name: 'Q', delivery: 'queue' }] }).bots).toEqual([
      { name: 'Q', delivery: 'queue' },
    ]);
  });

  it('refuses a manager that is not listed in bots', () => {
    expect(refusal({ manager: 'Boss', bots: [{ name: 'Echo', delivery: 'queue' }] }).message).toBe(
      'invalid bots configuration: manager "Boss" is not listed in bots',
    );
  });

  it('refuses a manager that is a websocket bot', () => {
    const input = { manager: 'Echo', bots: [{ name: 'Echo', delivery: 'websocket', invite_url: 'http://x.example/i' }] };
    expect(refusal(input).message).toBe('invalid bots configuration: manager "Echo" must be a queue bot');
  });

  const entry = (fields: Record<string, unknown>) => ({ manager: null, bots: [fields] });

  it.each<[string, unknown, string]>([
    ['that is an array', [], '(root): must be a JSON object {"manager": …, "bots": […]}'],
    ['that is null', null, '(root): must be a JSON object {"manager": …, "bots": […]}'],
    ['that is a string', 'bots', '(root): must be a JSON object {"manager": …, "bots": […]}'],
    ['without a manager key', { bots: [] }, 'manager: Invalid key: Expected "manager" but received undefined'],
    ['without bots', { manager: null }, 'bots: Invalid key: Expected "bots" but received undefined'],
    ['with a manager that is a number', { manager: 5, bots: [] }, 'manager: Invalid type: Expected string but received 5'],
    ['with a manager that is undefined', { manager: undefined, bots: [] }, 'manager: Invalid type: Expected string but received undefined'],
    ['with bots that are an object', { manager: null, bots: {} }, 'bots: Invalid type: Expected Array but received Object'],
    ['with bots that are null', { manager: null, bots: null }, 'bots: Invalid type: Expected Array but received null'],
    ['with a bot that is a string', { manager: null, bots: ['Echo'] }, 'bots.0: Invalid type: Expected Object but received "Echo"'],
    ['with a bot that is null', { manager: null, bots: [null] }, 'bots.0: Invalid type: Expected Object but received null'],
    ['with a bot that is an array', { manager: null, bots: [[]] }, 'bots.0.name: Invalid key: Expected "name" but received undefined'],
    ['with a bot without a name', entry({ delivery: 'queue' }), 'bots.0.name: Invalid key: Expected "name" but received undefined'],
    ['with a name that is a number', entry({ name: 3, delivery: 'queue' }), 'bots.0.name: Invalid type: Expected string but received 3'],
    ['with an empty name', entry({ name: '', delivery: 'queue' }), 'bots.0.name: Invalid length: Expected >=1 but received 0'],
    ['with a name over 50 characters', entry({ name: 'n'.repeat(51), delivery: 'queue' }), 'bots.0.name: Invalid length: Expected <=50 but received 51'],
    ['with a name over 50 UTF-16 units', entry({ name: '😀'.repeat(26), delivery: 'queue' }), 'bots.0.name: Invalid length: Expected <=50 but received 52'],
    ['with a bot without delivery', entry({ name: 'X' }), 'bots.0.delivery: Invalid key: Expected "delivery" but received undefined'],
    ['with an unknown delivery', entry({ name: 'X', delivery: 'email' }), 'bots.0.delivery: Invalid type: Expected ("websocket" | "queue") but received "email"'],
    ['with an invite_url that is no URL', entry({ name: 'X', delivery: 'websocket', invite_url: 'nope' }), 'bots.0.invite_url: Invalid URL: Received "nope"'],
    ['with an empty invite_url', entry({ name: 'X', delivery: 'websocket', invite_url: '' }), 'bots.0.invite_url: Invalid URL: Received ""'],
    ['with an invite_url that is a number', entry({ name: 'X', delivery: 'websocket', invite_url: 5 }), 'bots.0.invite_url: Invalid type: Expected string but received 5'],
    ['with an invite_url that is null', entry({ name: 'X', delivery: 'queue', invite_url: null }), 'bots.0.invite_url: Invalid type: Expected string but received null'],
    ['with a required that is not a boolean', entry({ name: 'X', delivery: 'queue', required: 'yes' }), 'bots.0.required: Invalid type: Expected boolean but received "yes"'],
    ['with a required that is null', entry({ name: 'X', delivery: 'queue', required: null }), 'bots.0.required: Invalid type: Expected boolean but received null'],
    [
      'with a later bot that is wrong',
      { manager: null, bots: [{ name: 'A', delivery: 'queue' }, { name: 'B', delivery: 'sms' }] },
      'bots.1.delivery: Invalid type: Expected ("websocket" | "queue") but received "sms"',
    ],
  ])('refuses a file %s, saying where and why', (_label, input, problem) => {
    const error = refusal(input);
    expect(error.message).toBe(`invalid bots configuration: ${problem}`);
    expect(error.name).toBe('InvalidBotsConfig');
  });

  it('names the first problem in file order: the manager before the bots, a bot\'s name before its delivery', () => {
    expect(refusal({ manager: 5, bots: [{ name: '' }] }).message).toBe(
      'invalid bots configuration: manager: Invalid type: Expected string but received 5',
    );
    expect(refusal(entry({ name: 4, delivery: 'x', required: 'no' })).message).toBe(
      'invalid bots configuration: bots.0.name: Invalid type: Expected string but received 4',
    );
  });

  it('checks the shape of every bot before the rules between bots', () => {
    const input = { manager: null, bots: [{ name: 'A', delivery: 'queue' }, { name: 'A', delivery: 'queue' }, { name: '' }] };
    expect(refusal(input).message).toBe('invalid bots configuration: bots.2.name: Invalid length: Expected >=1 but received 0');
  });

  it('accepts an invite URL of any scheme, and keeps only the known keys', () => {
    const config = parseBotsConfig({
      manager: null,
      comment: 'ignored',
      bots: [{ name: 'X', delivery: 'websocket', invite_url: 'ftp://x.example/i', required: false, color: 'red' }],
    });
    expect(config).toStrictEqual({
      manager: null,
      bots: [{ name: 'X', delivery: 'websocket', invite_url: 'ftp://x.example/i', required: false }],
    });
  });

  it('treats optional keys that are undefined as absent', () => {
    expect(parseBotsConfig(entry({ name: 'X', delivery: 'queue', invite_url: undefined, required: undefined }))).toStrictEqual({
      manager: null,
      bots: [{ name: 'X', delivery: 'queue' }],
    });
  });

  it('accepts a name of exactly 50 characters', () => {
    expect(parseBotsConfig(entry({ name: 'n'.repeat(50), delivery: 'queue' })).bots[0]!.name).toHaveLength(50);
  });
});

describe('mergeBotsConfig', () => {
  it('replaces an entry with the same name', () => {
    const merged = mergeBotsConfig(BASE, { bots: [{ name: 'Echo', delivery: 'queue' }] });
    expect(merged.bots.find((b) => b.name === 'Echo')).toEqual({ name: 'Echo', delivery: 'queue' });
    expect(merged.bots).toHaveLength(3);
  });

  it('adds entries with new names after the base ones', () => {
    const merged = mergeBotsConfig(BASE, { bots: [{ name: 'Weather', delivery: 'queue' }] });
    expect(merged.bots.map((b) => b.name)).toEqual(['Manager', 'Echo', 'Calculator', 'Weather']);
  });

  it('keeps the base manager when the override has no manager key', () => {
    expect(mergeBotsConfig(BASE, { bots: [{ name: 'Weather', delivery: 'queue' }] }).manager).toBe('Manager');
  });

  it('replaces the manager with the override\'s', () => {
    const merged = mergeBotsConfig(BASE, { manager: 'Router', bots: [{ name: 'Router', delivery: 'queue' }] });
    expect(merged.manager).toBe('Router');
    // The replaced manager reads no queue, so it is no longer a bot one could ask for.
    expect(merged.bots.map((b) => b.name)).not.toContain('Manager');
    expect(merged.bots.map((b) => b.name)).toContain('Router');
  });

  it('treats manager: undefined as absent and keeps the base manager', () => {
    expect(mergeBotsConfig(BASE, { manager: undefined as unknown as null }).manager).toBe(BASE.manager);
  });

  it('removes the manager when the override sets it to null', () => {
    expect(mergeBotsConfig(BASE, { manager: null }).manager).toBeNull();
  });

  it('leaves the base untouched', () => {
    const before = structuredClone(BASE);
    mergeBotsConfig(BASE, { manager: null, bots: [{ name: 'Echo', delivery: 'queue' }] });
    expect(BASE).toEqual(before);
  });

  it('refuses a merge whose result is invalid', () => {
    expect(() => mergeBotsConfig(BASE, { manager: 'Nobody' })).toThrow(
      new InvalidBotsConfig('manager "Nobody" is not listed in bots'),
    );
    expect(() => mergeBotsConfig(BASE, { bots: [{ name: 'Manager', delivery: 'websocket', invite_url: 'http://x.example/i' }] })).toThrow(
      'manager "Manager" must be a queue bot',
    );
  });

  it('merges the shipped transparent manager over the shipped example bots', () => {
    const merged = mergeBotsConfig(
      parseBotsConfig(readShipped('bots.json')),
      parseBotsConfig(readShipped('transparent-manager.json')),
    );
    expect(merged.manager).toBe('Transparent');
    expect(queueBotNames(merged)).toEqual(expect.arrayContaining(['Transparent', 'Calculator']));
  });
});

describe('invitableBots', () => {
  it('lists every configured bot but the manager', () => {
    expect(invitableBots(BASE).map((b) => b.name)).toEqual(['Echo', 'Calculator']);
  });

  it('lists every bot when there is no manager', () => {
    expect(invitableBots({ ...BASE, manager: null }).map((b) => b.name)).toEqual(['Manager', 'Echo', 'Calculator']);
  });
});

describe('queueBotNames', () => {
  it('names the queue bots, the manager included, and no websocket bot', () => {
    expect(queueBotNames(BASE)).toEqual(['Manager', 'Calculator']);
  });

  it('is empty when every bot connects by WebSocket', () => {
    expect(queueBotNames({ manager: null, bots: [BASE.bots[1]!] })).toEqual([]);
  });
});
