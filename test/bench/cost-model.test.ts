import {
  billedMilliseconds,
  checkGrowth,
  dollarsPerMillionMessages,
  dominantCost,
  gbSeconds,
  meteredSqsRequests,
  meteredWebSocketMessages,
  type MessageUsage,
} from '../../bench/cost-model';
import { PRICES } from '../../bench/prices';

const humanMessageInConversationOf10: MessageUsage = {
  dynamoDbRequests: 3,
  readUnits: 2,
  writeUnits: 6,
  reportedCapacityUnits: 4,
  posts: 10,
  apiGatewayMessages: 11,
  lambdaInvocations: 1,
  sqsBackendRequests: 0,
  sqsBotRequests: 0,
  connectionMinutes: 1,
  lambdaBilledMs: 10,
};

describe('prices', () => {
  it('name their region and date', () => {
    expect(PRICES.region).toBe('us-east-1');
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('metering', () => {
  it('counts a WebSocket message per started 32 KB and an SQS request per started 64 KB', () => {
    expect(meteredWebSocketMessages(0)).toBe(1);
    expect(meteredWebSocketMessages(32 * 1024)).toBe(1);
    expect(meteredWebSocketMessages(32 * 1024 + 1)).toBe(2);
    expect(meteredSqsRequests(64 * 1024 + 1)).toBe(2);
  });

  it('rounds each Lambda invocation up to the millisecond and converts to GB-seconds', () => {
    expect(billedMilliseconds([0.2, 4.1, 10])).toBe(1 + 5 + 10);
    expect(gbSeconds(1000, 256)).toBe(0.25);
  });
});

describe('dollarsPerMillionMessages', () => {
  it('prices each service from the table', () => {
    const dollars = dollarsPerMillionMessages(humanMessageInConversationOf10, 256);
    expect(dollars.apiGatewayMessages).toBeCloseTo(11);
    expect(dollars.connectionMinutes).toBeCloseTo(0.25);
    expect(dollars.lambdaRequests).toBeCloseTo(0.2);
    expect(dollars.lambdaDuration).toBeCloseTo(0.0025 * 0.0000133334 * 1e6);
    expect(dollars.dynamoDbReads).toBeCloseTo(0.25);
    expect(dollars.dynamoDbWrites).toBeCloseTo(3.75);
    expect(dollars.sqs).toBe(0);
    expect(dollars.total).toBeCloseTo(11 + 0.25 + 0.2 + 0.0333 + 0.25 + 3.75, 3);
    expect(dominantCost(dollars)).toBe('apiGatewayMessages');
  });
});

describe('checkGrowth', () => {
  const figures = (posts: number) => ({ ...humanMessageInConversationOf10, posts });

  it('passes when every counted figure is the same at every size', () => {
    const check = checkGrowth([
      { otherConnections: 10_000, figures: figures(10) },
      { otherConnections: 0, figures: figures(10) },
      { otherConnections: 1_000, figures: figures(10) },
    ]);
    expect(check).toEqual({ identical: true, differences: [], grew: false });
  });

  it('names the figure that grew, against the smallest system', () => {
    const check = checkGrowth([
      { otherConnections: 0, figures: figures(10) },
      { otherConnections: 1_000, figures: figures(10) },
      { otherConnections: 10_000, figures: figures(11) },
    ]);
    expect(check.identical).toBe(false);
    expect(check.grew).toBe(true);
    expect(check.differences).toEqual(['posts: 10 at 0 other connections, 11 at 10000']);
  });

  it('flags a figure that shrank as a difference but not as growth', () => {
    const check = checkGrowth([
      { otherConnections: 0, figures: figures(10) },
      { otherConnections: 1_000, figures: figures(9) },
    ]);
    expect(check).toMatchObject({ identical: false, grew: false });
  });
});
