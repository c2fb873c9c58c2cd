/**
 * Rooms: N participants connected together, either a conversation of the project (through the
 * local API Gateway) or a room of the bare WebSocket floor. The same `sendFrom` drives both.
 */
import type { ParticipantState } from '../lambdas/core/wire';
import type { BenchStack } from './bench-stack';
import { BenchSocket, type ErrorTally } from './bench-socket';
import type { DeliveryTracker } from './delivery-tracker';

/** A typical chat line (64 characters): what every benchmark message says. */
export const MESSAGE_TEXT = 'Benchmark message: a typical chat line of about sixty characters';

export interface Room {
  label: string;
  /** Participant ids, in the order of `sockets`. */
  participantIds: string[];
  sockets: BenchSocket[];
  /** Index of the next sender (senders take turns). */
  nextSender: number;
}

export interface ProjectRoom extends Room {
  conversationId: string;
  /** Every participant of the conversation, bots included (from the creation ticket). */
  participants: ParticipantState[];
}

/** What every benchmark client shares: the tracker, the error tally and unique `local_id`s. */
export class Harness {
  readonly tracker: DeliveryTracker;
  readonly errors: ErrorTally = new Map();
  private counter = 0;

  constructor(tracker: DeliveryTracker) {
    this.tracker = tracker;
  }

  /** A `local_id` unique in the run (the message id derives from it, so no two are de-duplicated). */
  nextKey(prefix = 'b'): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString(36)}`;
  }
}

/**
 * Sends one text message from the room's next sender; `completion` resolves with the ms until
 * every other participant had it (it never resolves for a message that is dropped).
 */
export function sendFrom(room: Room, harness: Harness, text = MESSAGE_TEXT): { key: string; completion: Promise<number> } {
  const index = room.nextSender % room.sockets.length;
  room.nextSender += 1;
  const socket = room.sockets[index]!;
  const key = harness.nextKey();
  const frame = JSON.stringify({ type: 'T', text, local_id: key });
  const completion = harness.tracker.expect(key, socket.participantId, room.participantIds, performance.now());
  socket.send(frame);
  return { key, completion };
}

/** Runs `task` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A conversation of `size` humans on the project, each connected: created and joined through the
 * lifecycle (as `POST /conversations` and `/join` do), connected one by one through the gateway
 * (`$connect` for real). `bots` are asked for at creation; a configured manager joins by itself.
 */
export async function openConversation(
  stack: BenchStack,
  size: number,
  harness: Harness,
  options: { label: string; bots?: string[] },
): Promise<ProjectRoom> {
  const lifecycle = stack.app.lifecycle;
  const ticket = await lifecycle.createConversation({ nickname: 'p0', bots: options.bots ?? [] });
  const tickets = [ticket];
  for (let i = 1; i < size; i++) tickets.push(await lifecycle.join(ticket.id, { nickname: `p${i}` }));
  const sockets: BenchSocket[] = [];
  // One at a time: concurrent `$connect`s of one conversation retry on its roster version.
  for (const entry of tickets) {
    const url = `${stack.gateway.url}?token=${encodeURIComponent(entry.token)}`;
    sockets.push(await BenchSocket.open(url, entry.my_participant_id, harness.tracker, harness.errors));
  }
  return {
    label: options.label,
    conversationId: ticket.id,
    participantIds: tickets.map((entry) => entry.my_participant_id),
    participants: ticket.participants,
    sockets,
    nextSender: 0,
  };
}

export function closeRooms(rooms: readonly Room[]): void {
  for (const room of rooms) for (const socket of room.sockets) socket.terminate();
}
