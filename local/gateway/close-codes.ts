/** WebSocket close codes (RFC 6455 §7.4.1) the gateway sends, and the reasons API Gateway pairs with them. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  MESSAGE_TOO_BIG: 1009,
} as const;

export const CloseReason = {
  /** What DeleteConnection sends; the caller cannot choose another (boto3 issue #3789). */
  DELETED: 'Connection Closed Normally',
  /** Idle and 2 h limits, as serverless-offline does; AWS's exact code and reason are unconfirmed. */
  GOING_AWAY: 'Going away',
  /** Rejection closes (1003, 1009) carry no reason we know of, so none is invented. */
  NONE: '',
} as const;

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Maps a `ws` receiver error (it closes the socket itself) to the code it closed with. */
export function closeCodeForWsError(error: { code?: string }): number {
  switch (error.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return CloseCode.MESSAGE_TOO_BIG;
    case 'WS_ERR_INVALID_UTF8':
      return CloseCode.INVALID_PAYLOAD;
    default:
      return CloseCode.PROTOCOL_ERROR;
  }
}
