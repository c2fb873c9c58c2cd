/** Jest global teardown: stops what `global-setup.ts` started and waits until the processes exited. */
import { progress, takeTestServices } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const { dynamoDb, sqs } = takeTestServices();
  const startedAt = performance.now();
  const results = await Promise.allSettled([dynamoDb?.stop(), sqs?.stop()]);
  const reasons = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (reasons.length > 0) throw new Error(`stopping the test services failed: ${reasons.join('; ')}`);
  progress(`DynamoDB Local and the SQS server stopped in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}
