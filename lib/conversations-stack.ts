import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { Construct } from 'constructs';
import { repliesDeadLetterQueueName, repliesQueueName } from '../lambdas/adapters/sqs/queue-design';
import { parseBotsConfig, queueBotNames, type BotsConfig } from '../lambdas/core/bots-config';
import { TOKEN_IDENTITY_SOURCE } from '../lambdas/handlers/websocket-authorizer';
import type { LogLevel } from '../lambdas/runtime/logger';
import { ApiGatewayLoggingRole } from './api-gateway-logging-role';
import { BotQueues } from './bot-queues';
import { BotWorkerPolicy } from './bot-worker-policy';
import { ConversationTable } from './conversation-table';
import { InvalidDeploymentConfiguration } from './errors';
import { ExampleBots } from './example-bots';
import { FifoQueue } from './fifo-queue';
import { BundlingMode, HandlerFunction } from './handler-function';
import { handlerEnvironment } from './handler-environment';
import { ConversationHttpApi } from './http-api';
import { acknowledgeNagFindings } from './nag-suppressions';
import { RepliesConsumer } from './replies-consumer';
import { ConversationWebSocketApi } from './websocket-api';

export const STACK_NAME = 'ConversationsStack';
const QUEUE_PREFIX = /^[A-Za-z0-9_-]+$/;

export interface ConversationsStackProps extends StackProps {
  /** The bot registry (SPEC 4.1). Checked again with `parseBotsConfig`: a bad one fails synth. */
  readonly bots: BotsConfig;
  /**
   * Start of every queue name (letters, digits, `-`, `_`).
   * @default the stack name, lower-cased
   */
  readonly queuePrefix?: string;
  /**
   * Let anyone join a conversation through `POST /conversations/{id}/join` (`OPEN_ROOMS`).
   * @default false
   */
  readonly openRooms?: boolean;
  /**
   * `LOG_LEVEL` of every handler.
   * @default 'info'
   */
  readonly logLevel?: LogLevel;
  /**
   * `skip` replaces the handlers' code by a stub, for fast CDK unit tests; never deploy it.
   * @default 'esbuild'
   */
  readonly bundlingMode?: BundlingMode;
  /**
   * Set the account's API Gateway CloudWatch Logs role (an account-wide, regional setting),
   * without which the WebSocket stage's access logging cannot deploy. Turn it off when the
   * account already has one.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Run the example `queue` bots of the bots file (`Manager`, `Transparent`, `Calculator`, `Echo`)
   * as Lambdas on their queues (`lib/example-bots.ts`). The CDK app turns it on unless
   * `-c exampleBots=false`; a stack built in code deploys only what it asks for.
   * @default false
   */
  readonly exampleBots?: boolean;
}

/** The route and queue handlers, one Lambda each. */
export interface ConversationHandlers {
  /** `$connect`'s REQUEST authorizer: finds the token's participant, which API Gateway hands to every later event. */
  readonly connectAuthorizer: HandlerFunction;
  readonly connect: HandlerFunction;
  readonly disconnect: HandlerFunction;
  readonly default: HandlerFunction;
  readonly replies: HandlerFunction;
  readonly httpApi: HandlerFunction;
}

/**
 * Everything SPEC 5 asks `cdk deploy` for: the WebSocket API and its three routes, the HTTP API,
 * the table, the bot and replies queues with their dead-letter queues, and least-privilege IAM.
 */
export class ConversationsStack extends Stack {
  readonly bots: BotsConfig;
  readonly queuePrefix: string;
  readonly table: ConversationTable;
  readonly botQueues: BotQueues;
  readonly repliesQueue: FifoQueue;
  readonly webSocket: ConversationWebSocketApi;
  readonly httpApi: ConversationHttpApi;
  readonly handlers: ConversationHandlers;
  readonly botWorkerPolicy: BotWorkerPolicy;
  readonly apiGatewayLoggingRole?: ApiGatewayLoggingRole;
  /** The example queue bots' Lambdas, when `exampleBots` is on. */
  readonly exampleBots?: ExampleBots;

  constructor(scope: Construct, id: string, props: ConversationsStackProps) {
    super(scope, id, props);
    this.bots = parseBotsConfig(props.bots);
    this.queuePrefix = props.queuePrefix ?? this.stackName.toLowerCase();
    if (!QUEUE_PREFIX.test(this.queuePrefix)) {
      throw new InvalidDeploymentConfiguration(
        `queue prefix "${this.queuePrefix}" may contain only letters, digits, "-" and "_"`,
      );
    }
    const bundlingMode = props.bundlingMode ?? BundlingMode.ESBUILD;

    this.table = new ConversationTable(this, 'Conversations');
    this.botQueues = new BotQueues(this, 'BotQueues', { botNames: queueBotNames(this.bots), prefix: this.queuePrefix });
    this.repliesQueue = new FifoQueue(this, 'RepliesQueue', {
      queueName: repliesQueueName(this.queuePrefix),
      deadLetterQueueName: repliesDeadLetterQueueName(this.queuePrefix),
    });
    this.webSocket = new ConversationWebSocketApi(this, 'WebSocket');

    const environment = handlerEnvironment(this, {
      table: this.table,
      webSocket: this.webSocket,
      bots: this.bots,
      botQueues: this.botQueues,
      repliesQueue: this.repliesQueue,
      openRooms: props.openRooms ?? false,
      logLevel: props.logLevel ?? 'info',
    });
    const routeHandler = (handlerId: string, entry: string, description: string) =>
      new HandlerFunction(this, handlerId, { entry, description, environment, bundlingMode });

    const replies = new RepliesConsumer(this, 'RepliesConsumer', {
      repliesQueue: this.repliesQueue,
      environment,
      bundlingMode,
    });
    this.handlers = {
      connectAuthorizer: routeHandler(
        'ConnectAuthorizer',
        'lambdas/entries/authorizer.ts',
        'WebSocket $connect authorizer: finds the participant of ?token=',
      ),
      connect: routeHandler(
        'ConnectHandler',
        'lambdas/entries/connect.ts',
        'WebSocket $connect: records the connection of the participant the authorizer found',
      ),
      disconnect: routeHandler(
        'DisconnectHandler',
        'lambdas/entries/disconnect.ts',
        'WebSocket $disconnect: removes the connection',
      ),
      default: routeHandler('DefaultHandler', 'lambdas/entries/default.ts', 'WebSocket $default: stores and delivers messages'),
      replies: replies.handler,
      httpApi: routeHandler('HttpApiHandler', 'lambdas/entries/http-api.ts', 'HTTP API: bots, limits, conversations'),
    };
    this.webSocket.addLambdaRoute(
      '$connect',
      this.handlers.connect.fn,
      new WebSocketLambdaAuthorizer('TokenAuthorizer', this.handlers.connectAuthorizer.fn, {
        identitySource: [TOKEN_IDENTITY_SOURCE],
      }),
    );
    this.webSocket.addLambdaRoute('$disconnect', this.handlers.disconnect.fn);
    this.webSocket.addLambdaRoute('$default', this.handlers.default.fn);
    this.httpApi = new ConversationHttpApi(this, 'HttpApi', { handler: this.handlers.httpApi.fn });

    // The authorizer only reads a token's item. The five others read and write conversations, post to
    // connections (messages, state, joins) and deliver to the manager's and queue bots' queues. Only the
    // replies handler reads the replies queue.
    this.table.grantReadItems(this.handlers.connectAuthorizer);
    for (const handler of this.conversationHandlers()) {
      this.table.grantReadWriteItems(handler);
      this.webSocket.grantPostToConnections(handler);
      this.botQueues.grantSendMessage(handler);
    }

    this.botWorkerPolicy = new BotWorkerPolicy(this, 'BotWorkerPolicy', {
      botQueues: this.botQueues,
      repliesQueue: this.repliesQueue,
    });

    if (props.exampleBots ?? false) {
      this.exampleBots = new ExampleBots(this, 'ExampleBots', {
        bots: this.bots,
        botQueues: this.botQueues,
        repliesQueue: this.repliesQueue,
        logLevel: props.logLevel ?? 'info',
        bundlingMode,
      });
    }

    if (props.apiGatewayCloudWatchRole ?? true) {
      this.apiGatewayLoggingRole = new ApiGatewayLoggingRole(this, 'ApiGatewayLoggingRole');
      // The stages' access logging is refused until the account has the role.
      this.webSocket.stage.node.addDependency(this.apiGatewayLoggingRole.account);
      this.httpApi.stage.node.addDependency(this.apiGatewayLoggingRole.account);
    }

    this.addOutputs();
    acknowledgeNagFindings(this);
  }

  /** The handlers that store and deliver messages: all but the authorizer. */
  conversationHandlers(): HandlerFunction[] {
    const { connectAuthorizer: _authorizer, ...others } = this.handlers;
    return Object.values(others);
  }

  private addOutputs(): void {
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.webSocket.url,
      description: 'WebSocket URL for clients and websocket bots; append ?token=<participant token>',
    });
    new CfnOutput(this, 'ManagementApiEndpoint', {
      value: this.webSocket.managementApiEndpoint,
      description: 'API Gateway management API (@connections) of the WebSocket stage',
    });
    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'RepliesQueueUrl', {
      value: this.repliesQueue.queueUrl,
      description: 'Queue the bot manager and queue bots send their replies to',
    });
    for (const bot of this.botQueues.bots) {
      new CfnOutput(this, `BotQueueUrl${bot.identifier}`, {
        value: bot.queues.queueUrl,
        description: `Queue of bot "${bot.botName}"`,
      });
    }
    const manager = this.botQueues.bots.find((bot) => bot.botName === this.bots.manager);
    if (manager) {
      new CfnOutput(this, 'ManagerQueueUrl', {
        value: manager.queues.queueUrl,
        description: `Queue of the bot manager "${manager.botName}"`,
      });
    }
    new CfnOutput(this, 'BotWorkerPolicyArn', {
      value: this.botWorkerPolicy.policy.managedPolicyArn,
      description: 'Managed policy to attach to bot workers',
    });
  }
}
