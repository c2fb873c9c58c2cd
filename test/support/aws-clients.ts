import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/** DynamoDB Local and the SQS server accept any credentials; tests never use a developer's real ones. */
export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

type EndpointVariable = 'TEST_DYNAMODB_ENDPOINT' | 'TEST_SQS_ENDPOINT';

/** The endpoint jest's global setup published (`test/support/global-setup.ts`). */
export function testEndpoint(variable: EndpointVariable): string {
  const endpoint = process.env[variable];
  if (!endpoint) {
    throw new Error(
      `${variable} is not set: run the tests through jest (npm test, or npx jest <path>), ` +
        'whose global setup starts DynamoDB Local and the SQS server',
    );
  }
  return endpoint;
}

/** A client for the run's DynamoDB Local. Call `destroy()` in `afterAll`. */
export function testDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: testEndpoint('TEST_DYNAMODB_ENDPOINT'),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}

/** A client for the run's SQS server. Call `destroy()` in `afterAll`. */
export function testSqsClient(): SQSClient {
  return new SQSClient({
    endpoint: testEndpoint('TEST_SQS_ENDPOINT'),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}
