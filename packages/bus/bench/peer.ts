/**
 * Entry point of a peer process that bench/lib/peer-process.ts forks:
 * `peer.ts <role>`. It binds its socket on a wildcard loopback port, sends the
 * bound endpoint to the parent, then serves requests over the IPC channel
 * until it is asked to exit or the channel closes.
 */
import { Topics } from '../src/schemas/topics';
import { CommandServer } from '../src/transport/command-server';
import { TelemetryPublisher } from '../src/transport/publisher';
import { makeAudioFrames, type StampedAudioFeatures } from './lib/audio-frames';
import type { ClockReport, PeerEnvelope, PeerRole, ReplyEnvelope } from './lib/protocol';
import { sharedClockMs } from './lib/protocol';
import { RawPublisher } from './peer/raw-publisher';
import { type FramePublisher, runSendLoop } from './peer/send-loop';

const ANY_LOOPBACK_PORT = 'tcp://127.0.0.1:*';
const FRAME_COUNT = 64;

/** A bound socket that the peer serves and later closes. */
interface PeerSocket {
  endpoint: string;
  publisher?: FramePublisher;
  close(): void;
}

async function main(): Promise<void> {
  const role = process.argv[2] as PeerRole;
  const frames = makeAudioFrames(FRAME_COUNT);
  const socket = await openSocket(role, frames);
  reply(0, { endpoint: socket.endpoint });

  // Closing the socket leaves the process nothing to wait for, so it exits.
  process.once('disconnect', () => socket.close());
  process.on('message', (envelope: PeerEnvelope) => {
    void serve(socket, frames, envelope);
  });
}

async function openSocket(role: PeerRole, frames: StampedAudioFeatures[]): Promise<PeerSocket> {
  if (role === 'command-server') {
    const server = await CommandServer.open({ endpoint: ANY_LOOPBACK_PORT, name: 'bench_server' });
    server.handle('ping', () => ({ pong: true }));
    return { endpoint: server.endpoint, close: () => server.close() };
  }
  if (role === 'raw-publisher') {
    const publisher = await RawPublisher.open(ANY_LOOPBACK_PORT, frames);
    return { endpoint: publisher.endpoint, publisher, close: () => publisher.close() };
  }
  const publisher = await TelemetryPublisher.open({ endpoint: ANY_LOOPBACK_PORT, source: 'bench_publisher' });
  return { endpoint: publisher.endpoint, publisher, close: () => publisher.close() };
}

async function serve(
  socket: PeerSocket,
  frames: StampedAudioFeatures[],
  envelope: PeerEnvelope,
): Promise<void> {
  const { seq, request } = envelope;
  if (request.op === 'exit') {
    process.disconnect();
    return;
  }
  if (request.op === 'clock') {
    reply(seq, { nowMs: sharedClockMs() } satisfies ClockReport);
    return;
  }
  if (socket.publisher === undefined) throw new Error(`Peer request "${request.op}" needs a publisher role`);

  if (request.op === 'probe') {
    socket.publisher.publish(Topics.audioFeatures, frames[0]);
    reply(seq, {});
    return;
  }
  reply(seq, await runSendLoop(socket.publisher, frames, request));
}

function reply(seq: number, value: unknown): void {
  process.send?.({ seq, reply: value } satisfies ReplyEnvelope);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
