import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster, Logger, PostReport, PreparedPosts } from '../../core/ports';
import { holdPost, installPostHold } from './post-hold';

export interface ManagementApiPosterOptions {
  /** Posts in flight at once during a fan-out. @default 32 */
  maxConcurrentPosts?: number;
  log: Logger;
}

const DEFAULT_MAX_CONCURRENT_POSTS = 32;
const encoder = new TextEncoder();

/** The name of the error held posts fail with when their fan-out is cancelled (the benchmark leaves them out). */
export const POSTS_CANCELLED = 'PostsCancelled';

/** The reason held posts fail with when their fan-out is cancelled; never sent, never logged. */
class PostsCancelled extends Error {
  constructor() {
    super('fan-out cancelled before sending');
    this.name = POSTS_CANCELLED;
  }
}

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
    installPostHold(client);
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
    return this.runPosts(connectionIds, payload);
  }

  /**
   * Serializes and signs the first posts now, on the next turn of the event loop (so the request
   * the caller started just before, its commit, leaves first), and holds each one just before its
   * HTTP request: `send()` lets them go, `cancel()` fails them unsent.
   */
  prepareMany(connectionIds: readonly string[], payload: string): PreparedPosts {
    let release!: () => void;
    let refuse!: (reason: Error) => void;
    const released = new Promise<void>((resolve, reject) => {
      release = resolve;
      refuse = reject;
    });
    // A cancelled fan-out is an outcome, not an unhandled rejection.
    released.catch(() => undefined);
    let cancelled = false;
    const report = new Promise<PostReport>((resolve, reject) => {
      setImmediate(() => this.runPosts(connectionIds, payload, { released, cancelled: () => cancelled }).then(resolve, reject));
    });
    return {
      send: () => {
        release();
        return report;
      },
      cancel: () => {
        cancelled = true;
        refuse(new PostsCancelled());
        report.catch(() => undefined);
      },
    };
  }

  private async runPosts(
    connectionIds: readonly string[],
    payload: string,
    hold?: { released: Promise<void>; cancelled: () => boolean },
  ): Promise<PostReport> {
    const report: PostReport = { gone: [], failed: [], delivered: 0 };
    const data = encoder.encode(payload);
    let next = 0;
    const worker = async () => {
      while (next < connectionIds.length && !hold?.cancelled()) {
        const connectionId = connectionIds[next++]!;
        const input = { ConnectionId: connectionId, Data: data };
        if (hold) holdPost(input, hold.released);
        try {
          await this.client.send(new PostToConnectionCommand(input));
          report.delivered++;
        } catch (error) {
          if (error instanceof PostsCancelled) return;
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
