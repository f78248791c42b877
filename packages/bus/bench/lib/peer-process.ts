/**
 * Parent side of a peer process: forks bench/peer.ts with the same Node flags
 * as the bench (so `--import tsx` and `--cpu-prof` carry over), waits for its
 * bound endpoint, and sends requests over the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { PeerEnvelope, PeerRequest, PeerRole, ReadyReport, ReplyEnvelope } from './protocol';

const PEER_ENTRY = path.join(__dirname, '..', 'peer.ts');
const START_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 2_000;

interface PendingRequest {
  resolve: (reply: unknown) => void;
  reject: (error: Error) => void;
}

/** A running peer process and its bound endpoint. */
export class PeerProcess {
  readonly endpoint: string;
  readonly pid: number;
  private readonly role: PeerRole;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, PendingRequest>();
  private seq = 0;

  private constructor(role: PeerRole, child: ChildProcess, endpoint: string) {
    this.role = role;
    this.child = child;
    this.endpoint = endpoint;
    this.pid = child.pid ?? 0;
    child.on('message', (message: ReplyEnvelope) => {
      const pending = this.pending.get(message.seq);
      this.pending.delete(message.seq);
      pending?.resolve(message.reply);
    });
    child.on('exit', (code, signal) => {
      const error = new Error(
        `Peer ${role} (pid ${this.pid}) exited with ${signal ?? `code ${code}`} before it replied`,
      );
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
  }

  /**
   * Forks a peer and resolves once it has bound its socket.
   *
   * @throws Error when the peer exits, or stays silent for 10 s, before it is ready.
   */
  static async start(role: PeerRole): Promise<PeerProcess> {
    const child = fork(PEER_ENTRY, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<ReadyReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`Peer ${role} (pid ${child.pid}) did not report ready within ${START_TIMEOUT_MS} ms`),
        );
      }, START_TIMEOUT_MS);
      child.once('message', (message: ReplyEnvelope) => {
        clearTimeout(timer);
        resolve(message.reply as ReadyReport);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Peer ${role} (pid ${child.pid}) exited with code ${code} before it was ready`));
      });
    });
    return new PeerProcess(role, child, ready.endpoint);
  }

  /**
   * Sends a request and resolves with the peer's reply.
   *
   * @throws Error when the peer exits before it replies.
   */
  request<Reply>(request: PeerRequest): Promise<Reply> {
    this.seq++;
    const envelope: PeerEnvelope = { seq: this.seq, request };
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(envelope.seq, { resolve: resolve as (reply: unknown) => void, reject });
      this.child.send(envelope);
    });
  }

  /** Asks the peer to exit, and kills it by its pid if it is still running after 2 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;

    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ seq: 0, request: { op: 'exit' } } satisfies PeerEnvelope);
    const timer = setTimeout(() => {
      process.stderr.write(
        `peer ${this.role} (pid ${this.pid}) still running ${EXIT_TIMEOUT_MS} ms after exit was requested; killing it\n`,
      );
      process.kill(this.pid, 'SIGKILL');
    }, EXIT_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
