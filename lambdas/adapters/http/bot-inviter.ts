import type { BotEntry } from '../../core/bots-config';
import type { BotInvitation, BotInviter } from '../../core/conversation-lifecycle';
import type { Logger } from '../../core/ports';

export interface HttpBotInviterOptions {
  log: Logger;
  /** Attempts per invitation. @default 3 */
  attempts?: number;
  /** Delay before the second attempt; doubles after each. @default 250 */
  initialBackoffMs?: number;
  /** Per-attempt timeout. @default 2000 */
  timeoutMs?: number;
  /** Maps a configured `invite_url` to the one to call (the local runner resolves `local://…`). */
  resolveUrl?: (url: string) => string;
}

/** Invites `websocket` bots with an HTTP POST of the invitation (SPEC 4.1), retried with backoff. */
export class HttpBotInviter implements BotInviter {
  private readonly attempts: number;
  private readonly initialBackoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpBotInviterOptions) {
    this.attempts = options.attempts ?? 3;
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  async invite(bot: BotEntry, invitation: BotInvitation): Promise<void> {
    if (!bot.invite_url) return;
    const url = this.options.resolveUrl ? this.options.resolveUrl(bot.invite_url) : bot.invite_url;
    const fields = { bot: bot.name, conversation_id: invitation.conversation_id, url };
    if (!/^https?:\/\//i.test(url)) {
      // e.g. the example bots' `local://` URL in a deployment: no attempt can succeed.
      this.options.log.error('bot invite_url is not http(s); not invited', fields);
      return;
    }
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(invitation),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.ok) {
          this.options.log.info('bot invited', { ...fields, attempt });
          return;
        }
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      this.options.log.warn('bot invitation failed', { ...fields, attempt, problem: lastProblem });
      if (attempt < this.attempts) await sleep(this.initialBackoffMs * 2 ** (attempt - 1));
    }
    // The conversation works without the bot; the failure stays visible in the logs.
    this.options.log.error('bot could not be invited; giving up', { ...fields, attempts: this.attempts, problem: lastProblem });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
