import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster, Logger, PostReport } from '../../core/ports';

export interface ManagementApiPosterOptions {
  /** Posts in flight at once during a fan-out. @default 32 */
  maxConcurrentPosts?: number;
  log: Logger;
}

const DEFAULT_MAX_CONCURRENT_POSTS = 32;
const encoder = new TextEncoder();

/** The `ConnectionPoster` port on API Gateway's `@connections` management API. */
export class ManagementApiPoster implements ConnectionPoster {
  private readonly maxConcurrentPosts: number;
  private readonly log: Logger;

  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    options: ManagementApiPosterOptions,
  ) {
    this.maxConcurrentPosts = options.maxConcurrentPosts ?? DEFAULT_MAX_CONCURRENT_POSTS;
    this.log = options.log;
  }

  async postToOne(connectionId: string, payload: string): Promise<'delivered' | 'gone'> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(payload) }));
      return 'delivered';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async postToMany(connectionIds: readonly string[], payload: string): Promise<PostReport> {
    const report: PostReport = { gone: [], failed: [], delivered: 0 };
    const data = encoder.encode(payload);
    let next = 0;
    const worker = async () => {
      while (next < connectionIds.length) {
        const connectionId = connectionIds[next++]!;
        try {
          await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
          report.delivered++;
        } catch (error) {
          if (isGone(error)) {
            report.gone.push(connectionId);
          } else {
            // One failing connection never fails the others.
            report.failed.push(connectionId);
            this.log.error('post to connection failed', { connection_id: connectionId, error: String(error) });
          }
        }
      }
    };
    const workers = Math.min(this.maxConcurrentPosts, connectionIds.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return report;
  }
}

/** SDK v3 puts the status in `$metadata.httpStatusCode`; the error class is `GoneException`. */
function isGone(error: unknown): boolean {
  if (error instanceof GoneException) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 410;
}
