import { exampleLambdaBotNames, exampleQueueBot, UnknownExampleBot } from '../../../bots/example-registry';
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

describe('exampleQueueBot', () => {
  it('refuses a name that is no example queue bot, naming the ones there are', () => {
    expect(() => exampleQueueBot('constructor')).toThrow(UnknownExampleBot);
    expect(() => exampleQueueBot('Nobody')).toThrow(
      '"Nobody" is not an example queue bot (one of Manager, Transparent, Echo, Calculator)',
    );
  });
});
