import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sendBotReply } from './bot-reply-sender';
import type { BotQueueBody, MessageDraft, MessageFrame, WireMessage } from './protocol';
import { replyLocalId } from './reply-ids';

/** One message for the bot, as read from its queue (SPEC 3), with the SQS facts about it. */
export interface QueueDelivery extends BotQueueBody {
  readonly sqs: {
    messageId: string;
    /** The conversation id on FIFO queues. */
    groupId?: string;
    /** 1 on the first delivery; more on redeliveries after failures. */
    receiveCount: number;
  };
}

/**
 * Sends a reply into the delivery's conversation, as the receiving bot. Without a `local_id` one is
 * derived from the SQS message and the reply's rank, so a retried handler's replies are the same
 * messages. Resolves with the frame as sent.
 */
export type ReplyFunction = (frame: MessageDraft) => Promise<MessageFrame>;

/** The bot's logic. Resolve to have the message deleted; throw to have it redelivered. */
export type DeliveryHandler = (delivery: QueueDelivery, reply: ReplyFunction) => Promise<void> | void;

/** Structured logger; the project's `Logger` port fits. */
export interface WorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface QueueBotWorkerOptions {
  sqs: SQSClient;
  /** The bot's own queue (FIFO, group = conversation id). */
  queueUrl: string;
  /** The replies queue the backend reads. */
  repliesQueueUrl: string;
  handleMessage: DeliveryHandler;
  /** Long-poll wait of each receive, 0..20. @default 20 */
  waitTimeSeconds?: number;
  /** Messages asked for per receive, 1..10. @default 10 */
  maxMessages?: number;
  /** Received messages not yet finished, at most (the worker stops receiving at this bound). @default 10 */
  maxInFlight?: number;
  /** Visibility timeout asked for on receive and renewed by the heartbeat. @default 60 */
  visibilityTimeoutSeconds?: number;
  /**
   * A message held this long (its handler running, or waiting behind an earlier one of its
   * conversation) gets its visibility extended again; at most half the visibility timeout.
   * @default visibilityTimeoutSeconds * 1000 / 3
   */
  heartbeatIntervalMs?: number;
  /**
   * Visibility given to a message whose handler failed, i.e. when it is retried. When unset it keeps
   * its current visibility timeout. After the queue's `maxReceiveCount` it goes to the dead-letter queue.
   * @default undefined
   */
  retryDelaySeconds?: number;
  /** @default warnings and errors to the console */
  log?: WorkerLogger;
}

type TaskState = 'waiting' | 'running' | 'released' | 'finished';

interface Task {
  readonly message: Message;
  readonly receiptHandle: string;
  readonly groupId: string;
  state: TaskState;
  extendedAt: number;
}

/** Delay after a failed receive, doubled per failure in a row up to the maximum. */
const RECEIVE_RETRY_INITIAL_MS = 500;
const RECEIVE_RETRY_MAX_MS = 30_000;
/** `stop({ drainPoll: true })` aborts a poll still pending this long after its wait time. */
const DRAIN_POLL_SLACK_MS = 5000;
/** ChangeMessageVisibilityBatch takes at most 10 entries. */
const SQS_BATCH_MAX = 10;

const CONSOLE_LOGGER: WorkerLogger = {
  info: () => {},
  warn: (message, fields) => console.warn(message, fields ?? {}),
  error: (message, fields) => console.error(message, fields ?? {}),
};

/**
 * Runs a `queue` bot (or a bot manager) on its SQS FIFO queue, in Node: long-polls the queue,
 * hands each delivery to `handleMessage` one at a time per conversation (FIFO group) and in order,
 * conversations in parallel; deletes a message only after its handler succeeded; keeps messages
 * invisible while they are held (heartbeat); leaves a failed message for redelivery (and the
 * dead-letter queue after the queue's `maxReceiveCount`), releasing the later messages of its
 * conversation so none overtakes it. Handlers must be idempotent: SQS delivers at least once.
 *
 * @example
 * const worker = new QueueBotWorker({
 *   sqs, queueUrl, repliesQueueUrl,
 *   handleMessage: async ({ message }, reply) => {
 *     if (message.type === 'T' && message.sender_id) await reply({ text: message.text!.toUpperCase(), quoted_message_id: message.id });
 *   },
 * });
 * worker.start();
 * process.once('SIGTERM', () => void worker.stop());
 */
export class QueueBotWorker {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  private readonly repliesQueueUrl: string;
  private readonly handleMessage: DeliveryHandler;
  private readonly waitTimeSeconds: number;
  private readonly maxMessages: number;
  private readonly maxInFlight: number;
  private readonly visibilityTimeoutSeconds: number;
  private readonly heartbeatIntervalMs: number;
  private readonly retryDelaySeconds?: number;
  private readonly log: WorkerLogger;

  private running = false;
  /** Aborts the long poll in progress. */
  private pollAbort = new AbortController();
  /** Aborted by `stop()`: wakes a retry back-off. */
  private halt = new AbortController();
  private loop?: Promise<void>;
  private stopping?: Promise<void>;
  private heartbeatTimer?: ReturnType<typeof setInterval>;
  /** Received and not finished, in receive order. */
  private readonly tasks = new Set<Task>();
  /** Per FIFO group, the promise of its last queued task: a group runs one task at a time, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private capacityWaiter?: () => void;

  constructor(options: QueueBotWorkerOptions) {
    this.sqs = options.sqs;
    this.queueUrl = required('queueUrl', options.queueUrl);
    this.repliesQueueUrl = required('repliesQueueUrl', options.repliesQueueUrl);
    if (typeof options.handleMessage !== 'function') throw new TypeError('handleMessage must be a function');
    this.handleMessage = options.handleMessage;
    this.waitTimeSeconds = integerIn('waitTimeSeconds', options.waitTimeSeconds ?? 20, 0, 20);
    this.maxMessages = integerIn('maxMessages', options.maxMessages ?? 10, 1, 10);
    this.maxInFlight = integerIn('maxInFlight', options.maxInFlight ?? 10, 1, Number.MAX_SAFE_INTEGER);
    this.visibilityTimeoutSeconds = integerIn('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds ?? 60, 1, 43_200);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? (this.visibilityTimeoutSeconds * 1000) / 3;
    if (!(this.heartbeatIntervalMs > 0 && this.heartbeatIntervalMs <= (this.visibilityTimeoutSeconds * 1000) / 2)) {
      throw new RangeError('heartbeatIntervalMs must be positive and at most half of visibilityTimeoutSeconds');
    }
    if (options.retryDelaySeconds !== undefined) {
      this.retryDelaySeconds = integerIn('retryDelaySeconds', options.retryDelaySeconds, 0, 43_200);
    }
    this.log = options.log ?? CONSOLE_LOGGER;
  }

  /** True between `start()` and `stop()`. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Messages received and not finished (running, or waiting behind an earlier one of their conversation). */
  get inFlightCount(): number {
    return this.tasks.size;
  }

  /** Starts polling. @throws Error when already running or still stopping. */
  start(): void {
    if (this.running || this.stopping) throw new Error('the worker is already running');
    this.running = true;
    this.pollAbort = new AbortController();
    this.halt = new AbortController();
    // Ticking at half the interval extends each held message between 1 and 1.5 intervals after the last time.
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs / 2);
    this.loop = this.pollLoop();
  }

  /**
   * Stops: aborts the long poll at once, lets running handlers finish (their messages are deleted
   * as usual) and makes the messages received but not started visible again for another worker.
   * Resolves when all of that is done.
   *
   * Caveat of aborting: SQS may still hand a message to the abandoned receive; nobody gets its
   * receipt handle, so it stays invisible until its visibility timeout ends (and holds back its
   * conversation meanwhile). With `drainPoll: true` the poll in progress is let finish (up to
   * `waitTimeSeconds`, aborted only if it stalls 5 s longer) and whatever it brought is released
   * at once: slower, but nothing is held back.
   *
   * @param options.drainPoll @default false
   */
  stop(options: { drainPoll?: boolean } = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    if (!this.running) return Promise.resolve();
    this.running = false;
    this.halt.abort();
    let stalled: ReturnType<typeof setTimeout> | undefined;
    if (options.drainPoll) {
      stalled = setTimeout(() => this.pollAbort.abort(), this.waitTimeSeconds * 1000 + DRAIN_POLL_SLACK_MS);
    } else {
      this.pollAbort.abort();
    }
    this.wakeCapacity();
    this.stopping = (async () => {
      await this.loop;
      clearTimeout(stalled);
      await this.releaseWaiting();
      while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      this.loop = undefined;
      this.stopping = undefined;
    })();
    return this.stopping;
  }

  // ---- receiving ----

  private async pollLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      await this.waitForCapacity();
      if (!this.running) break;
      let messages: Message[];
      try {
        const output = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: Math.min(this.maxMessages, this.maxInFlight - this.tasks.size),
            WaitTimeSeconds: this.waitTimeSeconds,
            VisibilityTimeout: this.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['MessageGroupId', 'ApproximateReceiveCount'],
          }),
          { abortSignal: this.pollAbort.signal },
        );
        messages = output.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures += 1;
        const delayMs = Math.min(RECEIVE_RETRY_MAX_MS, RECEIVE_RETRY_INITIAL_MS * 2 ** (failures - 1));
        this.log.error('receiving from the bot queue failed; retrying', {
          queue_url: this.queueUrl,
          error: describe(error),
          retry_in_ms: delayMs,
        });
        await this.sleep(delayMs);
        continue;
      }
      for (const message of messages) this.accept(message);
    }
  }

  private accept(message: Message): void {
    if (!message.ReceiptHandle) return;
    const task: Task = {
      message,
      receiptHandle: message.ReceiptHandle,
      // Without a group (a standard queue) every message is its own group: no ordering to keep.
      groupId: message.Attributes?.MessageGroupId ?? `message:${message.MessageId ?? message.ReceiptHandle}`,
      state: 'waiting',
      extendedAt: Date.now(),
    };
    this.tasks.add(task);
    const groupId = task.groupId;
    const next = (this.chains.get(groupId) ?? Promise.resolve()).then(() => this.run(task));
    this.chains.set(groupId, next);
    void next.then(() => {
      if (this.chains.get(groupId) === next) this.chains.delete(groupId);
    });
  }

  // ---- handling ----

  /** Never rejects: every outcome is logged and leaves the message deleted or due for redelivery. */
  private async run(task: Task): Promise<void> {
    // Once stopping, nothing new starts: `stop()` releases what still waits.
    if (task.state !== 'waiting' || !this.running) return;
    task.state = 'running';
    const messageId = task.message.MessageId ?? '';
    try {
      const delivery = parseDelivery(task.message);
      let replies = 0;
      const reply: ReplyFunction = (frame) => {
        const index = replies++;
        return sendBotReply(this.sqs, this.repliesQueueUrl, {
          conversation_id: delivery.conversation_id,
          bot_participant_id: delivery.bot_participant_id,
          message: { ...frame, local_id: frame.local_id ?? replyLocalId(delivery.bot_participant_id, messageId, index) },
        });
      };
      await this.handleMessage(delivery, reply);
    } catch (error) {
      this.finish(task);
      this.log.error('bot handler failed; the message is left for redelivery', {
        sqs_message_id: messageId,
        group_id: task.groupId,
        receive_count: receiveCountOf(task.message),
        error: describe(error),
      });
      await this.releaseAfterFailure(task);
      return;
    }
    try {
      await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: task.receiptHandle }));
    } catch (error) {
      // Handled but not deleted: it comes back, and the handler's replies are de-duplicated by local_id.
      this.log.warn('deleting a handled message failed; it will be delivered again', {
        sqs_message_id: messageId,
        error: describe(error),
      });
    }
    this.finish(task);
  }

  private finish(task: Task): void {
    task.state = 'finished';
    this.tasks.delete(task);
    this.wakeCapacity();
  }

  /**
   * After a failure, the later messages of the same conversation must not overtake the failed
   * one: they are made visible again (the group stays locked while the failed one is in flight).
   */
  private async releaseAfterFailure(failed: Task): Promise<void> {
    const later = [...this.tasks].filter((task) => task.groupId === failed.groupId && task.state === 'waiting');
    for (const task of later) this.markReleased(task);
    await this.makeVisible(later);
    if (this.retryDelaySeconds !== undefined) await this.changeVisibility(failed, this.retryDelaySeconds);
  }

  /** At `stop()`: messages received but not started go back to the queue. */
  private async releaseWaiting(): Promise<void> {
    const waiting = [...this.tasks].filter((task) => task.state === 'waiting');
    for (const task of waiting) this.markReleased(task);
    await this.makeVisible(waiting);
  }

  private markReleased(task: Task): void {
    task.state = 'released';
    this.tasks.delete(task);
    this.wakeCapacity();
  }

  private async makeVisible(tasks: Task[]): Promise<void> {
    // Last first: some SQS servers put a released message back at the head of its group.
    for (const task of [...tasks].reverse()) await this.changeVisibility(task, 0);
  }

  private async changeVisibility(task: Task, seconds: number): Promise<void> {
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: task.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      this.log.warn('changing a message visibility failed', {
        sqs_message_id: task.message.MessageId,
        visibility_timeout_s: seconds,
        error: describe(error),
      });
    }
  }

  /** Extends the visibility of every message held for one heartbeat interval or more. */
  private async heartbeat(): Promise<void> {
    const now = Date.now();
    const due = [...this.tasks].filter(
      (task) => (task.state === 'waiting' || task.state === 'running') && now - task.extendedAt >= this.heartbeatIntervalMs,
    );
    for (let start = 0; start < due.length; start += SQS_BATCH_MAX) {
      const batch = due.slice(start, start + SQS_BATCH_MAX);
      for (const task of batch) task.extendedAt = now;
      try {
        const output = await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((task, index) => ({
              Id: String(index),
              ReceiptHandle: task.receiptHandle,
              VisibilityTimeout: this.visibilityTimeoutSeconds,
            })),
          }),
        );
        for (const failure of output.Failed ?? []) {
          const task = batch[Number(failure.Id)];
          // A message finished meanwhile has no receipt handle left to extend: nothing to report.
          if (!task || !this.tasks.has(task)) continue;
          this.log.warn('extending a message visibility failed', {
            sqs_message_id: task.message.MessageId,
            code: failure.Code,
            reason: failure.Message,
          });
        }
      } catch (error) {
        this.log.warn('extending message visibility failed', { count: batch.length, error: describe(error) });
      }
    }
  }

  // ---- flow control ----

  private async waitForCapacity(): Promise<void> {
    while (this.running && this.tasks.size >= this.maxInFlight) {
      await new Promise<void>((resolve) => {
        this.capacityWaiter = resolve;
      });
    }
  }

  private wakeCapacity(): void {
    const wake = this.capacityWaiter;
    this.capacityWaiter = undefined;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.halt.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** A queue message body that is not a delivery (SPEC 3): it fails like a handler would. */
export class InvalidDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeliveryError';
  }
}

function parseDelivery(message: Message): QueueDelivery {
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    throw new InvalidDeliveryError('the queue message body is not JSON');
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof fields.conversation_id !== 'string' || typeof fields.bot_participant_id !== 'string') {
    throw new InvalidDeliveryError('the queue message needs conversation_id and bot_participant_id strings');
  }
  if (typeof fields.message !== 'object' || fields.message === null || Array.isArray(fields.message)) {
    throw new InvalidDeliveryError('the queue message needs a message object');
  }
  const groupId = message.Attributes?.MessageGroupId;
  return {
    conversation_id: fields.conversation_id,
    bot_participant_id: fields.bot_participant_id,
    message: fields.message as WireMessage,
    sqs: {
      messageId: message.MessageId ?? '',
      ...(groupId !== undefined ? { groupId } : {}),
      receiveCount: receiveCountOf(message),
    },
  };
}

function receiveCountOf(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

function required(name: string, value: string | undefined): string {
  if (!value) throw new TypeError(`${name} is required`);
  return value;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
