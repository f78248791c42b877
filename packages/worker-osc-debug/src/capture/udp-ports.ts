import dgram from 'node:dgram';
import { VjError } from '@vj/bus';

/** Receive buffer requested for each UDP socket. */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** State of one configured UDP port. */
export type PortStatus =
  | { port: number; status: 'listening'; receive_buffer_bytes: number }
  | { port: number; status: 'failed'; code: string; error: string };

/** Called for every datagram with the local port that received it. */
export type DatagramHandler = (datagram: Buffer, remote: dgram.RemoteInfo, localPort: number) => void;

/**
 * Set of udp4 sockets, one per port, all bound to one host. A port that
 * cannot be bound is kept with its error, so the others keep working and the
 * state can show why that one failed.
 *
 * @example
 * const ports = new UdpPorts('127.0.0.1', (datagram, remote, port) => handle(datagram));
 * const failures = await ports.sync([9001]);
 */
export class UdpPorts {
  private readonly sockets = new Map<number, dgram.Socket>();
  private readonly failures = new Map<number, VjError>();

  constructor(
    private host: string,
    private readonly onDatagram: DatagramHandler,
  ) {}

  /**
   * Opens the ports of `ports` that are not open yet and closes the others.
   * Resolves with the errors of the ports that failed to bind in this call,
   * as VjError VJ_OSC_PORT_IN_USE or VJ_OSC_BIND_FAILED.
   */
  async sync(ports: readonly number[]): Promise<VjError[]> {
    const requested = new Set(ports);
    for (const port of [...this.sockets.keys()]) {
      if (!requested.has(port)) this.closePort(port);
    }
    for (const port of [...this.failures.keys()]) {
      if (!requested.has(port)) this.failures.delete(port);
    }

    const errors: VjError[] = [];
    for (const port of requested) {
      if (this.sockets.has(port)) continue;
      const error = await this.openPort(port);
      if (error !== undefined) errors.push(error);
    }
    return errors;
  }

  /** Closes every socket, then binds `ports` on `host`; resolves as sync() does. */
  async rebind(host: string, ports: readonly number[]): Promise<VjError[]> {
    this.close();
    this.host = host;
    return this.sync(ports);
  }

  /** Returns each configured port's status, in ascending port order. */
  statuses(): PortStatus[] {
    const statuses: PortStatus[] = [];
    for (const [port, socket] of this.sockets) {
      statuses.push({ port, status: 'listening', receive_buffer_bytes: socket.getRecvBufferSize() });
    }
    for (const [port, error] of this.failures) {
      statuses.push({ port, status: 'failed', code: error.code, error: error.message });
    }
    return statuses.sort((a, b) => a.port - b.port);
  }

  /** Closes every socket and clears the recorded bind failures. */
  close(): void {
    for (const port of [...this.sockets.keys()]) this.closePort(port);
    this.failures.clear();
  }

  private async openPort(port: number): Promise<VjError | undefined> {
    // A 4 MiB receive buffer stores a few hundred milliseconds of traffic at
    // 20,000 packets/s, so a worker that the scheduler stalls catches up
    // instead of losing packets. Linux caps it at net.core.rmem_max.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, this.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      socket.close();
      const failure = this.bindError(port, error as NodeJS.ErrnoException);
      this.failures.set(port, failure);
      return failure;
    }

    this.failures.delete(port);
    socket.on('message', (datagram, remote) => this.onDatagram(datagram, remote, port));
    this.sockets.set(port, socket);
    return undefined;
  }

  private closePort(port: number): void {
    this.sockets.get(port)?.close();
    this.sockets.delete(port);
  }

  private bindError(port: number, error: NodeJS.ErrnoException): VjError {
    if (error.code === 'EADDRINUSE') {
      return new VjError(
        'VJ_OSC_PORT_IN_USE',
        `OSC UDP port ${port} on ${this.host} is already in use by another program; stop that program, or remove ${port} from the osc_debugger ports with set_config`,
        { cause: error, port, host: this.host, shortMessage: `OSC port ${port} in use` },
      );
    }
    return new VjError(
      'VJ_OSC_BIND_FAILED',
      `OSC UDP port ${port} on ${this.host} could not be bound (${error.code ?? error.message}); check that the host is an address of this machine and the port is allowed`,
      { cause: error, port, host: this.host, shortMessage: `OSC port ${port} bind failed` },
    );
  }
}
