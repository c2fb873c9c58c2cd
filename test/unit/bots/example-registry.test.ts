import { exampleLambdaBotNames, exampleQueueBot, exampleWorkerBots, UnknownExampleBot } from '../../../bots/example-registry';
import defaultBots from '../../../bots/bots.json';
import { parseBotsConfig, type BotsConfig } from '../../../lambdas/core/bots-config';

describe('exampleLambdaBotNames', () => {
  it('runs the default bots file\'s Manager and Calculator as Lambdas, not the websocket Echo', () => {
    expect(exampleLambdaBotNames(parseBotsConfig(defaultBots))).toEqual(['Manager', 'Calculator']);
  });

  it('runs an example manager only when it is the manager, and an answering bot only when it is not', () => {
    // given Transparent as the manager, the example Manager as a plain queue bot, and Echo on a queue
    const config: BotsConfig = {
      manager: 'Transparent',
      bots: [
        { name: 'Transparent', delivery: 'queue' },
        { name: 'Manager', delivery: 'queue' },
        { name: 'Echo', delivery: 'queue' },
        { name: 'Calculator', delivery: 'websocket', invite_url: 'https://bots.example.com/invite/Calculator' },
        { name: 'constructor', delivery: 'queue' },
        { name: 'Word-Counter', delivery: 'queue' },
      ],
    };

    expect(exampleLambdaBotNames(config)).toEqual(['Transparent', 'Echo']);
    expect(exampleLambdaBotNames({ manager: 'Calculator', bots: [{ name: 'Calculator', delivery: 'queue' }] })).toEqual([]);
  });
});

describe('exampleWorkerBots (what npm start runs in-process)', () => {
  const names = (config: BotsConfig, replaced?: string[]) => exampleWorkerBots(config, replaced).map((bot) => `${bot.name} (${bot.delivery})`);

  it("runs the default file's Manager, Echo and Calculator", () => {
    expect(names(parseBotsConfig(defaultBots))).toEqual(['Manager (queue)', 'Echo (websocket)', 'Calculator (queue)']);
  });

  it('runs no example for an entry BOTS_FILE put in place of an example, whatever its delivery', () => {
    // given a BOTS_FILE whose Calculator (a queue bot, as the example) and Echo are the user's own
    const config: BotsConfig = {
      manager: 'Manager',
      bots: [
        { name: 'Manager', delivery: 'queue' },
        { name: 'Echo', delivery: 'websocket', invite_url: 'https://echo.example.com/invite' },
        { name: 'Calculator', delivery: 'queue' },
      ],
    };

    expect(names(config, ['Calculator'])).toEqual(['Manager (queue)', 'Echo (websocket)']);
    expect(names(config, ['Calculator', 'Echo'])).toEqual(['Manager (queue)']);
    // the user's own Manager entry: the example Manager must not read its queue either
    expect(names(config, ['Manager'])).toEqual(['Echo (websocket)', 'Calculator (queue)']);
  });

  it('keeps the manager rule: an example manager only as the manager (Transparent from its file runs)', () => {
    const transparent: BotsConfig = {
      manager: 'Transparent',
      bots: [
        { name: 'Echo', delivery: 'websocket', invite_url: 'local://example-bots/invite/Echo' },
        { name: 'Calculator', delivery: 'queue' },
        { name: 'Transparent', delivery: 'queue' },
        { name: 'Word-Counter', delivery: 'queue' },
      ],
    };
    expect(names(transparent)).toEqual(['Echo (websocket)', 'Calculator (queue)', 'Transparent (queue)']);
    expect(names({ manager: 'Router', bots: [{ name: 'Router', delivery: 'queue' }, { name: 'Manager', delivery: 'queue' }] })).toEqual([]);
  });
});

describe('exampleQueueBot', () => {
  it('refuses a name that is no example queue bot, naming the ones there are', () => {
    expect(() => exampleQueueBot('constructor')).toThrow(UnknownExampleBot);
    expect(() => exampleQueueBot('Nobody')).toThrow(
      '"Nobody" is not an example queue bot (one of Manager, Transparent, Echo, Calculator)',
    );
  });
});
