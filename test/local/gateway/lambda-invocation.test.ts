import { createLambdaContext, invokeLambda } from '../../../local/gateway/lambda-invocation';

describe('invokeLambda', () => {
  const options = { functionName: 'local-test', timeoutMs: 1000 };

  it('returns the handler result', async () => {
    await expect(invokeLambda(async (event: number) => event * 2, 21, options)).resolves.toEqual({
      status: 'returned',
      value: 42,
    });
  });

  it('captures rejections and synchronous throws instead of propagating them', async () => {
    const failure = new Error('boom');
    await expect(invokeLambda(async () => Promise.reject(failure), null, options)).resolves.toEqual({
      status: 'threw',
      error: failure,
    });
    const syncThrow = () => {
      throw failure;
    };
    await expect(invokeLambda(syncThrow, null, options)).resolves.toEqual({ status: 'threw', error: failure });
  });

  it('stops waiting at the integration timeout', async () => {
    let release!: () => void;
    const started = Date.now();
    const outcome = await invokeLambda(() => new Promise<void>((resolve) => (release = resolve)), null, {
      ...options,
      timeoutMs: 60,
    });
    expect(outcome).toEqual({ status: 'timed-out' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    release();
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    let release!: () => void;
    const pending = invokeLambda(() => new Promise<void>((resolve) => (release = resolve)), null, {
      ...options,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).resolves.toEqual({ status: 'aborted' });
    release();
  });
});

describe('createLambdaContext', () => {
  it('looks like a Lambda context and counts down to the deadline', () => {
    const context = createLambdaContext('local-connect', Date.now() + 2000);
    expect(context).toMatchObject({
      functionName: 'local-connect',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:local-connect',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/local-connect',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).not.toBe(createLambdaContext('x', 0).awsRequestId);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(1900);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(2000);
    expect(createLambdaContext('x', Date.now() - 5).getRemainingTimeInMillis()).toBe(0);
    expect(() => context.succeed('x')).toThrow(/return a promise/);
  });
});
