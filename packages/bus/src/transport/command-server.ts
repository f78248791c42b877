/**
 * Command server: a ZeroMQ Reply socket that decodes each command, runs its
 * handler and always replies, whatever the frame contained.
 */
import { EventEmitter } from 'node:events';
import { Reply } from 'zeromq';
import { VjError } from '../errors';
import { newId, nowSeconds } from '../internal/ids';
import { decodeCommand, encodeMessage } from '../schemas/codec';
import type { Command, Response } from '../schemas/envelope';
import { bindSocket } from './endpoint';

/** Return value of a handler, sent as the response's `result`; undefined is sent as null. */
export type CommandResult = Record<string, unknown> | null | undefined;

/** A command handler; it may throw or reject, and the client gets the error text. */
export type CommandHandler = (
  payload: Record<string, unknown>,
  command: Command,
) => CommandResult | Promise<CommandResult>;

export interface CommandServerOptions {
  /** ZeroMQ endpoint to bind, e.g. `tcp://127.0.0.1:5001`. */
  endpoint: string;
  /** Name put in the `source` field of every response. */
  name: string;
  /** How long a handler may run before the client gets an error, in ms (default 10 000). */
  handlerTimeoutMs?: number;
}

/** Events of a CommandServer; each carries what a worker needs to log it. */
export interface CommandServerEvents {
  /** A frame could not be decoded; an error response was sent. */
  rejected: [error: VjError];
  /** A handler threw, rejected or timed out; an error response was sent. */
  failed: [command: Command, error: VjError];
  /** A command got a response with status ok. */
  handled: [command: Command, durationMs: number];
}

const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

/**
 * Serves commands on one Reply socket. Commands are handled one at a time, in
 * arrival order, as REQ/REP requires.
 *
 * @example
 * const server = await CommandServer.open({ endpoint: 'tcp://127.0.0.1:5051', name: 'example_worker' });
 * server.handle('ping', () => ({ pong: true }));
 */
export class CommandServer extends EventEmitter<CommandServerEvents> {
  readonly endpoint: string;
  private readonly socket: Reply;
  private readonly name: string;
  private readonly handlerTimeoutMs: number;
  private readonly handlers = new Map<string, CommandHandler>();
  private closed = false;

  private constructor(socket: Reply, options: CommandServerOptions) {
    super();
    this.socket = socket;
    // lastEndpoint resolves wildcards such as tcp://127.0.0.1:* to the port actually bound.
    this.endpoint = socket.lastEndpoint ?? options.endpoint;
    this.name = options.name;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  }

  /**
   * Binds a Reply socket and starts serving.
   *
   * @throws VjError VJ_BUS_PORT_IN_USE or VJ_BUS_BIND_FAILED.
   */
  static async open(options: CommandServerOptions): Promise<CommandServer> {
    const socket = new Reply({ linger: 0 });
    try {
      await bindSocket(socket, options.endpoint, 'command');
    } catch (error) {
      socket.close();
      throw error;
    }

    const server = new CommandServer(socket, options);
    void server.serve();
    return server;
  }

  /** Registers the handler of a command name, replacing any earlier one. */
  handle(command: string, handler: CommandHandler): this {
    this.handlers.set(command, handler);
    return this;
  }

  /** Names of the commands that have a handler, sorted. */
  commands(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Stops serving and closes the socket; a pending request gets no response. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private async serve(): Promise<void> {
    try {
      for await (const [frame] of this.socket) {
        const reply = await this.answer(frame ?? Buffer.alloc(0));
        await this.socket.send(encodeMessage(reply));
      }
    } catch (error) {
      // Closing the socket ends the loop with EAGAIN or ETERM; anything else while open is a real fault.
      if (!this.closed)
        this.emit(
          'rejected',
          new VjError(
            'VJ_BUS_CLOSED',
            `The command socket on ${this.endpoint} stopped: ${(error as Error).message}`,
            { cause: error },
          ),
        );
    }
  }

  private async answer(frame: Buffer): Promise<Response> {
    const decoded = decodeCommand(frame);
    if (!decoded.ok) {
      this.emit('rejected', decoded.error);
      const id = typeof decoded.error.fields.id === 'string' ? decoded.error.fields.id : newId();
      return this.errorResponse(id, decoded.error);
    }

    const command = decoded.value;
    const handler = this.handlers.get(command.command);
    if (handler === undefined) {
      const error = new VjError(
        'VJ_BUS_UNKNOWN_COMMAND',
        `Command "${command.command}" is not known to ${this.name}; known commands: ${this.commands().join(', ')}`,
        { command: command.command, shortMessage: `unknown command ${command.command}` },
      );
      this.emit('failed', command, error);
      return this.errorResponse(command.id, error);
    }

    const startedAt = performance.now();
    try {
      const result = await this.runWithTimeout(handler, command);
      this.emit('handled', command, performance.now() - startedAt);
      return {
        type: 'response',
        id: command.id,
        timestamp: nowSeconds(),
        source: this.name,
        status: 'ok',
        result: result ?? null,
        error: null,
      };
    } catch (cause) {
      const error = asHandlerError(cause, command.command);
      this.emit('failed', command, error);
      return this.errorResponse(command.id, error);
    }
  }

  private runWithTimeout(handler: CommandHandler, command: Command): Promise<CommandResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new VjError(
            'VJ_BUS_HANDLER_FAILED',
            `Command "${command.command}" did not finish within ${this.handlerTimeoutMs} ms on ${this.name}; the worker may be overloaded`,
            { command: command.command, timeoutMs: this.handlerTimeoutMs },
          ),
        );
      }, this.handlerTimeoutMs);
    });
    const run = (async () => handler(command.payload, command))();
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  }

  private errorResponse(id: string, error: VjError): Response {
    return {
      type: 'response',
      id,
      timestamp: nowSeconds(),
      source: this.name,
      status: 'error',
      result: null,
      error: error.message,
      code: error.code,
    };
  }
}

function asHandlerError(cause: unknown, command: string): VjError {
  if (cause instanceof VjError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  return new VjError('VJ_BUS_HANDLER_FAILED', `Command "${command}" failed: ${text}`, {
    cause,
    command,
    shortMessage: text,
  });
}
