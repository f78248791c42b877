/**
 * SourceBase: status bookkeeping and event helpers shared by the file, stdin
 * and demo sources.
 */
import { EventEmitter } from 'node:events';
import type { VjError } from '@vj/bus';
import type { AudioSource, SourceEvents, SourceInfo, SourceKind, SourceStatus } from './source';

/** Base class of the file, stdin and demo sources, whose subclasses implement `info`, `start` and `stop`. */
export abstract class SourceBase extends EventEmitter<SourceEvents> implements AudioSource {
  abstract readonly kind: SourceKind;
  private currentStatus: SourceStatus = 'no_input';
  private currentReason: string | undefined;

  abstract info(): SourceInfo;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  status(): SourceStatus {
    return this.currentStatus;
  }

  /**
   * Sets the status and emits `status` when the status or its reason changes,
   * so that a new reason for the same status (`no_input` because stdin is a
   * terminal, before any start) still reaches the worker.
   */
  protected setStatus(status: SourceStatus, reason: string | undefined): void {
    if (status === this.currentStatus && reason === this.currentReason) return;
    this.currentStatus = status;
    this.currentReason = reason;
    this.emit('status', status, reason);
  }

  /**
   * Emits `error` for an error that the source survives. Without a listener
   * the error is dropped rather than thrown, because EventEmitter throws an
   * unhandled `error` event and a source must never throw from its callbacks.
   * The status reason still describes what happened.
   */
  protected reportError(error: VjError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
