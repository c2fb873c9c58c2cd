/** Size limits clients must respect (served by `GET /limits`). Units are in the names. */
export const LIMITS = {
  MAX_TEXT_CHARS: 4000,
  MAX_LOCAL_ID_CHARS: 32,
  MAX_NAME_CHARS: 50,
  MAX_CONVERSATION_NAME_CHARS: 50,
  MAX_OPTIONS: 20,
  MAX_OPTION_CHARS: 200,
  MAX_URL_CHARS: 2048,
  /** API Gateway closes a connection that sends a larger frame (close code 1009). */
  MAX_FRAME_BYTES: 32 * 1024,
  /** PostToConnection refuses larger payloads (413). */
  MAX_POST_BYTES: 128 * 1024,
  MAX_BOTS_PER_CONVERSATION: 20,
  MAX_HISTORY_PAGE: 1000,
  DEFAULT_HISTORY_PAGE: 100,
} as const;
