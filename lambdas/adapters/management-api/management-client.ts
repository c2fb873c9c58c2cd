import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { installPostHold } from './post-hold';

/**
 * The management API client every composition root uses. `cacheMiddleware` resolves the SDK's
 * middleware stack once instead of on every post: a fan-out is one post per recipient, and it cut
 * the CPU per post from 361 to 255 µs in `npm run bench`. The post hold (`post-hold.ts`) is in
 * its stack from the start, as the cached stack requires.
 */
export function createManagementApiClient(
  endpoint: string,
  config: Omit<ApiGatewayManagementApiClientConfig, 'endpoint'> = {},
): ApiGatewayManagementApiClient {
  const client = new ApiGatewayManagementApiClient({ ...config, endpoint, cacheMiddleware: true });
  installPostHold(client);
  return client;
}
