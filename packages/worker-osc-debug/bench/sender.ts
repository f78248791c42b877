/**
 * Sender process that bench/main.ts forks. It receives `SendRequest`s over the
 * IPC channel, sends `/audio/levels` messages with 8 float32 arguments to
 * 127.0.0.1, and replies with a `SendReport`. `sender.ts <port>` also binds a
 * sink socket on 127.0.0.1:<port> that receives and discards the datagrams the
 * worker forwards. It exits when the channel closes.
 */
import dgram from 'node:dgram';
import { encodeMessage } from '../src';

/** One timed send: `rateHz` 0 floods as fast as the socket accepts. */
export interface SendRequest {
  port: number;
  rateHz: number;
  durationMs: number;
}

/** Count of datagrams sent and the time the sending took. */
export interface SendReport {
  sent: number;
  elapsedMs: number;
}

// Datagrams sent per event-loop turn while flooding, so libuv can flush between turns.
const FLOOD_BATCH = 64;
const PACING_INTERVAL_MS = 1;

const socket = dgram.createSocket('udp4');
const sink = dgram.createSocket('udp4');
sink.on('message', () => {});
// The parent waits for this first message before it sends a request.
sink.bind(Number(process.argv[2]), '127.0.0.1', () => process.send?.({ ready: true }));
const datagram = encodeMessage(
  '/audio/levels',
  Array.from({ length: 8 }, (_, band) => ({ type: 'f' as const, value: 0.125 * band })),
);

function send(request: SendRequest): Promise<SendReport> {
  const started = performance.now();
  const endAt = started + request.durationMs;
  let sent = 0;

  return new Promise((resolve) => {
    const step = (): void => {
      const now = performance.now();
      if (now >= endAt) {
        resolve({ sent, elapsedMs: now - started });
        return;
      }
      if (request.rateHz === 0) {
        for (let i = 0; i < FLOOD_BATCH; i++) socket.send(datagram, request.port, '127.0.0.1');
        sent += FLOOD_BATCH;
        setImmediate(step);
        return;
      }
      // Catch up to the count due by now, so a late timer sends a bigger batch instead of lowering the rate.
      const due = Math.floor(((now - started) * request.rateHz) / 1000);
      for (; sent < due; sent++) socket.send(datagram, request.port, '127.0.0.1');
      setTimeout(step, PACING_INTERVAL_MS);
    };
    step();
  });
}

process.on('message', (request: SendRequest) => {
  void send(request).then((report) => process.send?.(report));
});
process.once('disconnect', () => {
  socket.close();
  sink.close();
});
