import { CONVERSATION_TABLE_ACTIONS } from '../../lib/conversation-table';
import { BOT_WORKER_QUEUE_ACTIONS } from '../../lib/bot-worker-policy';
import {
  actionsOf,
  allIdentityStatements,
  arnOf,
  buildStack,
  logicalIdOf,
  resourcesOf,
  statementsOfRole,
  type PolicyStatementJson,
} from './stack-fixture';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const touches = (statement: PolicyStatementJson, resource: unknown) => resourcesOf(statement).some((r) => same(r, resource));

describe('least privilege', () => {
  const { stack, template } = buildStack();
  // Every handler but the authorizer, which has a test of its own below.
  const handlers = Object.entries(stack.handlers).filter(([name]) => name !== 'connectAuthorizer');
  const apiId = logicalIdOf(stack.webSocket.api);
  const postToConnections = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':execute-api:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':',
        { Ref: apiId },
        '/prod/POST/@connections/*',
      ],
    ],
  };

  it('scopes ManageConnections to POST @connections on this API stage, for every handler, and nowhere else', () => {
    // given every statement that allows execute-api:ManageConnections
    const manageConnections = allIdentityStatements(template).filter((s) =>
      actionsOf(s).some((action) => action.startsWith('execute-api:')),
    );

    // then each allows exactly that action on exactly this stage's POST /@connections/*
    expect(manageConnections).toHaveLength(handlers.length);
    for (const statement of manageConnections) {
      expect(actionsOf(statement)).toEqual(['execute-api:ManageConnections']);
      expect(resourcesOf(statement)).toEqual([postToConnections]);
    }
    // and each handler has one
    for (const [, handler] of handlers) {
      expect(statementsOfRole(template, logicalIdOf(handler.role)).filter((s) => same(s.Resource, postToConnections))).toHaveLength(1);
    }
  });

  it('lets the $connect authorizer read items of the conversations table, and nothing else', () => {
    // given the authorizer's statements, the log and X-Ray ones aside
    const statements = statementsOfRole(template, logicalIdOf(stack.handlers.connectAuthorizer.role)).filter(
      (s) => !actionsOf(s).some((action) => action.startsWith('logs:') || action.startsWith('xray:')),
    );

    // then all it may do is GetItem on this table: no writes, no posts, no queues
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['dynamodb:GetItem']);
    expect(resourcesOf(statements[0]!).filter((r) => !same(r, { Ref: 'AWS::NoValue' }))).toEqual([arnOf(stack.table.table)]);
  });

  it('never allows a dynamodb or sqs action, or a wildcard action, on Resource "*"', () => {
    for (const statement of allIdentityStatements(template)) {
      const actions = actionsOf(statement);
      expect(actions.filter((action) => action.endsWith('*'))).toEqual([]);
      if (resourcesOf(statement).includes('*')) {
        // the only "*" statement is X-Ray's, which has no resource-level permissions
        expect(actions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });

  it('lets every handler read and write items of the conversations table, and nothing more on DynamoDB', () => {
    const table = arnOf(stack.table.table);
    for (const [, handler] of handlers) {
      const dynamo = statementsOfRole(template, logicalIdOf(handler.role)).filter((s) =>
        actionsOf(s).some((action) => action.startsWith('dynamodb:')),
      );
      expect(dynamo).toHaveLength(1);
      expect(actionsOf(dynamo[0]!).sort()).toEqual([...CONVERSATION_TABLE_ACTIONS].sort());
      expect(resourcesOf(dynamo[0]!).filter((r) => !same(r, { Ref: 'AWS::NoValue' }))).toEqual([table]);
    }
  });

  it('lets every handler send to every bot queue, and only send', () => {
    for (const [, handler] of handlers) {
      const statements = statementsOfRole(template, logicalIdOf(handler.role));
      for (const bot of stack.botQueues.bots) {
        const onQueue = statements.filter((s) => touches(s, arnOf(bot.queues.queue)));
        expect(onQueue.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
        expect(statements.filter((s) => touches(s, arnOf(bot.queues.deadLetterQueue)))).toEqual([]);
      }
    }
  });

  it('does not let the http-api function receive from any queue', () => {
    const statements = statementsOfRole(template, logicalIdOf(stack.handlers.httpApi.role));
    const sqsActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('sqs:'));
    expect(new Set(sqsActions)).toEqual(new Set(['sqs:SendMessage']));
  });

  it('keeps the replies queue to the replies handler (consume) and the bot worker policy (send)', () => {
    // given the replies queue ARN
    const repliesQueue = arnOf(stack.repliesQueue.queue);

    // then among the handlers, only the replies handler's role names it
    for (const [name, handler] of handlers) {
      const onQueue = statementsOfRole(template, logicalIdOf(handler.role)).filter((s) => touches(s, repliesQueue));
      if (name === 'replies') {
        expect(onQueue.flatMap(actionsOf)).not.toContain('sqs:SendMessage');
      } else {
        expect(onQueue).toEqual([]);
      }
    }
    // and the only sender is the bot worker managed policy
    const senders = allIdentityStatements(template).filter(
      (s) => touches(s, repliesQueue) && actionsOf(s).includes('sqs:SendMessage'),
    );
    expect(senders).toHaveLength(1);
    const workerStatements = template.findResources('AWS::IAM::ManagedPolicy')[logicalIdOf(stack.botWorkerPolicy.policy)]!
      .Properties.PolicyDocument.Statement as PolicyStatementJson[];
    expect(workerStatements).toContainEqual(senders[0]);
  });

  it('gives bot workers exactly: consume the bot queues, send to the replies queue', () => {
    const workerStatements = template.findResources('AWS::IAM::ManagedPolicy')[logicalIdOf(stack.botWorkerPolicy.policy)]!
      .Properties.PolicyDocument.Statement as PolicyStatementJson[];
    expect(workerStatements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Action: [...BOT_WORKER_QUEUE_ACTIONS],
          Resource: stack.botQueues.bots.map((bot) => arnOf(bot.queues.queue)),
        }),
        expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.repliesQueue.queue) }),
      ]),
    );
    expect(workerStatements).toHaveLength(2);
  });

  it('gives a deployment without queue bots a worker policy that can only send replies', () => {
    // given no manager and only a websocket bot
    const { stack: noQueues, template: t } = buildStack({
      bots: { manager: null, bots: [{ name: 'Echo', delivery: 'websocket', invite_url: 'https://bots.example.com/Echo' }] },
    });

    // then
    t.resourceCountIs('AWS::SQS::Queue', 2);
    const statements = t.findResources('AWS::IAM::ManagedPolicy')[logicalIdOf(noQueues.botWorkerPolicy.policy)]!
      .Properties.PolicyDocument.Statement as PolicyStatementJson[];
    expect(statements).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: arnOf(noQueues.repliesQueue.queue) })]);
  });

  it('lets each handler write only to its own log group', () => {
    for (const [, handler] of handlers) {
      const logs = statementsOfRole(template, logicalIdOf(handler.role)).filter((s) =>
        actionsOf(s).some((action) => action.startsWith('logs:')),
      );
      expect(logs).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(handler.logGroup),
        }),
      ]);
    }
  });

  it('uses no AWS managed policy anywhere', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
