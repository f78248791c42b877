/**
 * Command client: a ZeroMQ Request socket with one request in flight, a
 * timeout, and a fresh socket after every timeout, because a REQ socket that
 * lost its reply can never send again (ZMQ REQ/REP state machine).
 */
import { Request } from 'zeromq';
import { VjError } from '../errors';
import { newId, nowSeconds } from '../internal/ids';
import { decodeResponse, encodeMessage } from '../schemas/codec';
import type { Command, Response } from '../schemas/envelope';

export interface CommandClientOptions {
  /** Endpoint of the worker's command socket, e.g. `tcp://127.0.0.1:5001`. */
  endpoint: string;
  /** Default time to wait for a response, in ms (default 2000). */
  timeoutMs?: number;
  /** Name put in the `source` field of each command; null when anonymous. */
  source?: string | null;
}

export interface RequestOptions {
  /** Time to wait for this response, in ms; overrides the client default. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Sends commands to one worker. Requests queue and go out one at a time.
 *
 * @example
 * const client = new CommandClient({ endpoint: 'tcp://127.0.0.1:5051' });
 * const health = await client.request('health_check');
 * client.close();
 */
export class CommandClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly source: string | null;
  private socket: Request;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: CommandClientOptions) {
    this.endpoint = options.endpoint;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.source = options.source ?? null;
    this.socket = this.openSocket();
  }

  /**
   * Sends a command and resolves with the worker's `result`.
   *
   * @throws VjError VJ_BUS_REQUEST_TIMEOUT when no response arrives in time.
   * @throws VjError VJ_BUS_COMMAND_FAILED when the worker replies with status error; `fields.remoteCode` has its code.
   * @throws VjError VJ_BUS_CLOSED after close().
   */
  async request(
    command: string,
    payload: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<Record<string, unknown> | null> {
    const response = await this.send(command, payload, options);
    if (response.status === 'ok') return response.result;
    if (response.status === 'timeout') {
      throw new VjError(
        'VJ_BUS_REQUEST_TIMEOUT',
        `Command "${command}" to ${this.endpoint} got no response within ${options.timeoutMs ?? this.timeoutMs} ms; check that the worker runs (pnpm exec pm2 status)`,
        {
          command,
          endpoint: this.endpoint,
          timeoutMs: options.timeoutMs ?? this.timeoutMs,
          shortMessage: `${command}: timed out`,
        },
      );
    }
    throw new VjError(
      'VJ_BUS_COMMAND_FAILED',
      response.error ?? `Command "${command}" failed on ${response.source ?? this.endpoint}`,
      {
        command,
        endpoint: this.endpoint,
        remoteCode: response.code,
        shortMessage: response.error ?? `${command} failed`,
      },
    );
  }

  /**
   * Sends a command and resolves with the whole response. A timeout resolves
   * with a response of status `timeout` made by this client.
   *
   * @throws VjError VJ_BUS_CLOSED after close().
   */
  send(
    command: string,
    payload: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<Response> {
    const next = this.queue.then(() => this.exchange(command, payload, options.timeoutMs ?? this.timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Closes the socket; queued requests reject with VJ_BUS_CLOSED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private async exchange(
    command: string,
    payload: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Response> {
    if (this.closed)
      throw new VjError(
        'VJ_BUS_CLOSED',
        `The command client for ${this.endpoint} is closed; create a new one`,
      );

    const message: Command = {
      type: 'command',
      id: newId(),
      timestamp: nowSeconds(),
      source: this.source,
      command,
      payload,
    };
    this.socket.sendTimeout = timeoutMs;
    this.socket.receiveTimeout = timeoutMs;
    try {
      await this.socket.send(encodeMessage(message));
      const [frame] = await this.socket.receive();
      return this.parseReply(message, frame ?? Buffer.alloc(0));
    } catch (error) {
      if (this.closed)
        throw new VjError(
          'VJ_BUS_CLOSED',
          `The command client for ${this.endpoint} was closed during "${command}"`,
          { cause: error },
        );
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
      this.resetSocket();
      return localResponse(message.id, 'timeout', `no response within ${timeoutMs} ms`);
    }
  }

  private parseReply(message: Command, frame: Buffer): Response {
    const decoded = decodeResponse(frame);
    if (!decoded.ok) {
      this.resetSocket();
      return { ...localResponse(message.id, 'error', decoded.error.message), code: decoded.error.code };
    }
    if (decoded.value.id !== message.id) {
      // A reply to an earlier, timed-out request cannot reach a fresh socket, so a mismatch means a faulty peer.
      this.resetSocket();
      const error = `response id ${decoded.value.id} does not match request id ${message.id}`;
      return {
        ...localResponse(message.id, 'error', error),
        source: decoded.value.source,
        code: 'VJ_BUS_INVALID_MESSAGE',
      };
    }
    return decoded.value;
  }

  private resetSocket(): void {
    this.socket.close();
    this.socket = this.openSocket();
  }

  private openSocket(): Request {
    const socket = new Request({ linger: 0 });
    socket.connect(this.endpoint);
    return socket;
  }
}

/** Builds a response on the client's side, for a timeout or an unreadable reply. */
function localResponse(id: string, status: 'error' | 'timeout', error: string): Response {
  return { type: 'response', id, timestamp: nowSeconds(), source: null, status, result: null, error };
}
