/**
 * THE price table of the cost model: AWS list prices (on-demand, no free tier, first volume tier)
 * for us-east-1 as of the date below. Every dollar figure of the benchmark comes from here;
 * change a price here and nowhere else.
 *
 * These are list prices as of `PRICES.asOf`, as published on the pages in `PRICES.sources`
 * (DynamoDB's on-demand prices are those in force since the 2024-11-01 price cut). They were not
 * re-read online when this file was written (the benchmark machine has no internet): check the
 * pages before quoting a figure, and update `asOf` when you do.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2024-11-01',
  sources: [
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/sqs/pricing/',
  ],
  apiGatewayWebSocket: {
    /** Messages sent and received, first billion a month. */
    perMillionMessages: 1.0,
    /** A message is metered in 32 KB increments. */
    messageIncrementBytes: 32 * 1024,
    perMillionConnectionMinutes: 0.25,
  },
  lambda: {
    perMillionRequests: 0.2,
    /** arm64 (Graviton), first 7.5 billion GB-seconds a month. */
    perGbSecondArm64: 0.0000133334,
    /** Duration is billed in 1 ms steps. */
    billingGranularityMs: 1,
  },
  dynamoDbOnDemand: {
    /** Standard table class. */
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
  },
  sqsFifo: {
    perMillionRequests: 0.5,
    /** Each 64 KB chunk of a request's payload is billed as one request. */
    requestChunkBytes: 64 * 1024,
  },
} as const;

export type Prices = typeof PRICES;
