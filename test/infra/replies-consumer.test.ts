import { QUEUE_SETTINGS } from '../../lambdas/adapters/sqs/queue-design';
import { REPLIES_BATCH_SIZE, REPLIES_TIMEOUT } from '../../lib/replies-consumer';
import {
  actionsOf,
  arnOf,
  buildStack,
  logicalIdOf,
  resourcesOf,
  statementsOfRole,
  type PolicyStatementJson,
} from './stack-fixture';

const touches = (statement: PolicyStatementJson, resource: unknown) =>
  resourcesOf(statement).some((r) => JSON.stringify(r) === JSON.stringify(resource));

describe('RepliesConsumer', () => {
  const { stack, template } = buildStack();
  const replies = stack.handlers.replies;

  it('reads the replies queue ten records at a time and reports partial batch failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.repliesQueue.queue),
      FunctionName: { Ref: logicalIdOf(replies.fn) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(REPLIES_BATCH_SIZE).toBe(10);
  });

  it('finishes within the replies queue visibility timeout', () => {
    expect(REPLIES_TIMEOUT.toSeconds()).toBeLessThanOrEqual(QUEUE_SETTINGS.visibilityTimeoutSeconds);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: REPLIES_TIMEOUT.toSeconds(),
      Role: { 'Fn::GetAtt': [logicalIdOf(replies.role), 'Arn'] },
    });
  });

  it('may send to the replies dead-letter queue, where refused replies go at once', () => {
    const statements = statementsOfRole(template, logicalIdOf(replies.role));
    const toDlq = statements.filter((s) => touches(s, arnOf(stack.repliesQueue.deadLetterQueue)));
    expect(toDlq.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
  });

  it('consumes the replies queue but never sends to it', () => {
    const statements = statementsOfRole(template, logicalIdOf(replies.role));
    const onQueue = statements.filter((s) => touches(s, arnOf(stack.repliesQueue.queue)));
    const actions = onQueue.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    expect(actions).not.toContain('sqs:SendMessage');
  });
});
