/**
 * Names of the environment variables the Lambdas read. The CDK stack sets them on AWS; the local
 * runner sets the same ones, so a handler behaves the same in both places.
 */
export const ENV = {
  TABLE_NAME: 'TABLE_NAME',
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS, `http://127.0.0.1:3001/local` locally. */
  MANAGEMENT_API_ENDPOINT: 'MANAGEMENT_API_ENDPOINT',
  /** Gateway URL without token, handed to bots and clients (`wss://…/{stage}`). */
  WEBSOCKET_URL: 'WEBSOCKET_URL',
  /** The bot registry as JSON (SPEC 4.1). */
  BOTS_CONFIG: 'BOTS_CONFIG',
  /** JSON object: bot name -> SQS queue URL, for every `queue` bot (the manager included). */
  BOT_QUEUE_URLS: 'BOT_QUEUE_URLS',
  REPLIES_QUEUE_URL: 'REPLIES_QUEUE_URL',
  REPLIES_DLQ_URL: 'REPLIES_DLQ_URL',
  /** `true` lets anyone join a conversation through `POST /conversations/{id}/join`. */
  OPEN_ROOMS: 'OPEN_ROOMS',
  LOG_LEVEL: 'LOG_LEVEL',
} as const;

export class MissingConfiguration extends Error {
  constructor(name: string) {
    super(`environment variable ${name} is required`);
    this.name = 'MissingConfiguration';
  }
}

/** Reads a required variable; missing configuration fails at start, not on the first request. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingConfiguration(name);
  return value;
}

export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
