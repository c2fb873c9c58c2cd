import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/config/environment';
import type { BotsConfig } from '../../lambdas/core/bots-config';
import { ConversationsStack } from '../../lib/conversations-stack';
import { TEST_BOTS, TEST_QUEUE_BOTS, buildStack, logicalIdOf } from './stack-fixture';

describe('ConversationsStack', () => {
  const { stack, template } = buildStack();
  const apiId = logicalIdOf(stack.webSocket.api);
  const stageUrl = (scheme: string) => ({
    'Fn::Join': ['', [scheme, { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/prod']],
  });
  const variables = () =>
    Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables as Record<string, unknown>;

  describe('outputs', () => {
    it('gives the WebSocket URL (wss) and the management API endpoint (https) of the prod stage', () => {
      template.hasOutput('WebSocketUrl', { Value: stageUrl('wss://') });
      template.hasOutput('ManagementApiEndpoint', { Value: stageUrl('https://') });
    });

    it('gives the HTTP API URL, the replies queue URL and the bot worker policy ARN', () => {
      template.hasOutput('HttpApiUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: logicalIdOf(stack.httpApi.api) }])] },
      });
      template.hasOutput('RepliesQueueUrl', { Value: { Ref: logicalIdOf(stack.repliesQueue.queue) } });
      template.hasOutput('BotWorkerPolicyArn', { Value: { Ref: logicalIdOf(stack.botWorkerPolicy.policy) } });
    });

    it('gives one queue URL per queue bot, named after the sanitised bot name, and the manager queue URL', () => {
      // given Router (the manager), Calculator and Word-Counter
      const outputs = Object.keys(template.toJSON().Outputs).filter((name) => name.startsWith('BotQueueUrl'));
      expect(outputs.sort()).toEqual(['BotQueueUrlCalculator', 'BotQueueUrlRouter', 'BotQueueUrlWordCounter']);
      expect(TEST_QUEUE_BOTS).toHaveLength(3);
      const router = stack.botQueues.bots.find((bot) => bot.botName === 'Router')!;
      template.hasOutput('BotQueueUrlRouter', { Value: { Ref: logicalIdOf(router.queues.queue) } });
      template.hasOutput('ManagerQueueUrl', { Value: { Ref: logicalIdOf(router.queues.queue) } });
    });

    it('has no ManagerQueueUrl without a manager', () => {
      const { template: t } = buildStack({ bots: { ...TEST_BOTS, manager: null } });
      expect(Object.keys(t.findOutputs('ManagerQueueUrl'))).toEqual([]);
      expect(Object.keys(t.toJSON().Outputs).filter((name) => name.startsWith('BotQueueUrl'))).toHaveLength(3);
    });
  });

  describe('handler environment', () => {
    it('points the handlers at the table, the stage URLs, the queues and the validated bots file', () => {
      const env = variables();
      expect(env[ENV.TABLE_NAME]).toEqual({ Ref: logicalIdOf(stack.table.table) });
      expect(env[ENV.MANAGEMENT_API_ENDPOINT]).toEqual(template.findOutputs('ManagementApiEndpoint').ManagementApiEndpoint!.Value);
      expect(env[ENV.WEBSOCKET_URL]).toEqual(template.findOutputs('WebSocketUrl').WebSocketUrl!.Value);
      expect(JSON.parse(env[ENV.BOTS_CONFIG] as string)).toEqual(TEST_BOTS);
      expect(env[ENV.REPLIES_QUEUE_URL]).toEqual({ Ref: logicalIdOf(stack.repliesQueue.queue) });
      expect(env[ENV.REPLIES_DLQ_URL]).toEqual({ Ref: logicalIdOf(stack.repliesQueue.deadLetterQueue) });
      expect(env[ENV.OPEN_ROOMS]).toBe('false');
      expect(env[ENV.LOG_LEVEL]).toBe('info');
    });

    it('maps each queue bot name to its queue URL in BOT_QUEUE_URLS', () => {
      // given the JSON CloudFormation will build, with each Ref replaced by its logical id
      const joined = variables()[ENV.BOT_QUEUE_URLS] as { 'Fn::Join': [string, unknown[]] };
      const json = joined['Fn::Join'][1]
        .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
        .join('');

      // then
      expect(JSON.parse(json)).toEqual(
        Object.fromEntries(stack.botQueues.bots.map((bot) => [bot.botName, `<${logicalIdOf(bot.queues.queue)}>`])),
      );
    });

    it('passes openRooms and logLevel through', () => {
      const { template: t } = buildStack({ openRooms: true, logLevel: 'debug' });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [ENV.OPEN_ROOMS]: 'true', [ENV.LOG_LEVEL]: 'debug' }) },
      });
    });

    it('refuses a bots file too large for the 4 KB Lambda environment', () => {
      // given 40 queue bots with long names
      const bots: BotsConfig = {
        manager: null,
        bots: Array.from({ length: 40 }, (_, i) => ({ name: `Bot-with-a-long-name-${i}`, delivery: 'queue' as const })),
      };

      // when / then
      expect(() => buildStack({ bots })).toThrow(/the Lambda environment would need about \d+ bytes \(Lambda allows 4096\)/);
    });
  });

  describe('API Gateway account logging role', () => {
    it('is created, retained and limited to this account and region log groups', () => {
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
      template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] },
        Policies: [
          Match.objectLike({
            PolicyDocument: {
              Statement: [
                Match.objectLike({
                  Resource: {
                    'Fn::Join': [
                      '',
                      ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*'],
                    ],
                  },
                }),
              ],
            },
          }),
        ],
      });
    });

    it('can be left out when the account already has one', () => {
      const { template: t } = buildStack({ apiGatewayCloudWatchRole: false });
      t.resourceCountIs('AWS::ApiGateway::Account', 0);
      t.resourceCountIs('AWS::IAM::Role', 6);
    });
  });

  describe('invalid configuration', () => {
    it('refuses a manager that is a websocket bot', () => {
      // given
      const bots: BotsConfig = {
        manager: 'Echo',
        bots: [{ name: 'Echo', delivery: 'websocket', invite_url: 'https://bots.example.com/Echo' }],
      };

      // when / then
      expect(() => new ConversationsStack(new App(), 'Bad', { bots, bundlingMode: 'skip' })).toThrow(
        'invalid bots configuration: manager "Echo" must be a queue bot',
      );
    });

    it('refuses a manager that is not listed', () => {
      expect(() => buildStack({ bots: { manager: 'Ghost', bots: [] } })).toThrow(
        'invalid bots configuration: manager "Ghost" is not listed in bots',
      );
    });

    it('refuses a queue prefix SQS cannot use', () => {
      expect(() => buildStack({ queuePrefix: 'my prefix' })).toThrow(
        'queue prefix "my prefix" may contain only letters, digits, "-" and "_"',
      );
    });
  });
});
