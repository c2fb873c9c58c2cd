import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_INTEGRATION_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTION_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_POST_BYTES,
  resolveLimits,
  startWebSocketGateway,
} from '../../../local/gateway';

describe('limits', () => {
  it('default to the API Gateway WebSocket quotas', () => {
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(600_000);
    expect(DEFAULT_MAX_CONNECTION_MS).toBe(7_200_000);
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(32_768);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(131_072);
    expect(DEFAULT_MAX_POST_BYTES).toBe(131_072);
    expect(DEFAULT_INTEGRATION_TIMEOUT_MS).toBe(29_000);
    expect(resolveLimits({})).toMatchObject({ disconnectDropRate: 0, invocationJitterMs: 0 });
  });

  it('take overrides', () => {
    expect(resolveLimits({ idleTimeoutMs: 50, disconnectDropRate: 0.5 })).toMatchObject({
      idleTimeoutMs: 50,
      disconnectDropRate: 0.5,
      maxConnectionMs: DEFAULT_MAX_CONNECTION_MS,
    });
  });

  it.each([
    [{ idleTimeoutMs: 0 }, /idleTimeoutMs/],
    [{ maxFrameBytes: -1 }, /maxFrameBytes/],
    [{ integrationTimeoutMs: Number.NaN }, /integrationTimeoutMs/],
    [{ disconnectDropRate: 1.5 }, /disconnectDropRate/],
  ])('fail at start on %p', async (limits, message) => {
    expect(() => resolveLimits(limits)).toThrow(message);
    await expect(startWebSocketGateway({ handlers: {}, ...limits })).rejects.toThrow(message);
  });
});
