import WebSocket from 'ws';
import type { DeliveryTracker } from './delivery-tracker';

/** Refusals and gateway errors the clients saw, by code (e.g. `busy`, `Internal server error`). */
export type ErrorTally = Map<string, number>;

/** How long a benchmark client waits for its handshake. */
const OPEN_TIMEOUT_MS = 30_000;

/**
 * One participant's WebSocket, the same client code for the project and for the floor: it parses
 * every frame and reports benchmark messages (those with a `local_id`) to the tracker.
 */
export class BenchSocket {
  private constructor(
    readonly participantId: string,
    private readonly socket: WebSocket,
    private readonly tracker: DeliveryTracker,
    private readonly errors: ErrorTally,
  ) {
    socket.on('message', (data) => this.onFrame(data.toString()));
    // A broken benchmark socket shows up as dropped messages; it must not crash the run.
    socket.on('error', () => undefined);
  }

  static open(url: string, participantId: string, tracker: DeliveryTracker, errors: ErrorTally): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
      socket.once('open', () => resolve(new BenchSocket(participantId, socket, tracker, errors)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`handshake refused with HTTP ${response.statusCode ?? 0} for ${participantId}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(frame: string): void {
    this.socket.send(frame);
  }

  /** Ends the connection without a closing handshake (the benchmark is done with it). */
  terminate(): void {
    this.socket.terminate();
  }

  private onFrame(text: string): void {
    const at = performance.now();
    let frame: { message?: unknown; error?: { code?: string } };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.tally('unparsable frame');
      return;
    }
    if (typeof frame.message === 'object' && frame.message !== null) {
      const message = frame.message as { local_id?: unknown; seq?: unknown };
      if (typeof message.local_id === 'string') {
        this.tracker.received(this.participantId, message.local_id, typeof message.seq === 'number' ? message.seq : undefined, at);
      }
    } else if (typeof frame.message === 'string') {
      // API Gateway's own error frame: {"message": "Internal server error", "connectionId": …}
      this.tally(frame.message);
    } else if (frame.error) {
      this.tally(frame.error.code ?? 'error');
    }
  }

  private tally(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
}
