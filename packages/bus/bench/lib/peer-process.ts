/**
 * Parent side of a peer process: forks bench/peer.ts with the same Node flags
 * as the bench (so `--import tsx` and `--cpu-prof` carry over), waits for its
 * bound endpoint, and sends requests one at a time.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { PeerEnvelope, PeerOptions, PeerRequest, PeerRole, ReadyReport, ReplyEnvelope } from './protocol';

const PEER_ENTRY = path.join(__dirname, '..', 'peer.ts');
const START_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 2_000;

/** A running peer process and its bound endpoint. */
export class PeerProcess {
  readonly endpoint: string;
  readonly pid: number;
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly pending = new Map<number, (reply: unknown) => void>();

  private constructor(child: ChildProcess, endpoint: string) {
    this.child = child;
    this.endpoint = endpoint;
    this.pid = child.pid ?? 0;
    child.on('message', (message: ReplyEnvelope) => {
      const resolve = this.pending.get(message.seq);
      if (resolve === undefined) return;
      this.pending.delete(message.seq);
      resolve(message.reply);
    });
  }

  /**
   * Forks a peer and resolves once it has bound its socket.
   *
   * @throws Error when the peer exits or stays silent for 10 s before it is ready.
   */
  static async start(role: PeerRole, options: PeerOptions = {}): Promise<PeerProcess> {
    const child = fork(PEER_ENTRY, [role, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<ReadyReport>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Peer ${role} (pid ${child.pid}) did not report ready within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('message', (message: ReplyEnvelope) => {
        clearTimeout(timer);
        resolve(message.reply as ReadyReport);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Peer ${role} (pid ${child.pid}) exited with code ${code} before it was ready`));
      });
    });
    return new PeerProcess(child, ready.endpoint);
  }

  /** Sends a request and resolves with the peer's reply. */
  request<Reply>(request: PeerRequest): Promise<Reply> {
    this.seq++;
    const envelope: PeerEnvelope = { seq: this.seq, request };
    return new Promise<Reply>((resolve) => {
      this.pending.set(envelope.seq, resolve as (reply: unknown) => void);
      this.child.send(envelope);
    });
  }

  /** Asks the peer to exit, and kills it by its pid if it is still running after 2 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;

    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ seq: 0, request: { op: 'exit' } } satisfies PeerEnvelope);
    const timer = setTimeout(() => process.kill(this.pid, 'SIGKILL'), EXIT_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
