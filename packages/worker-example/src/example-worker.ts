/**
 * ExampleWorker: publishes a counter on `example.tick` and handles a `reset`
 * command. Copy this package to start a new worker.
 */
import { type ExampleTick, Topics, VjError, Worker, type WorkerOptions } from '@vj/bus';

/** Settings that set_config may change at run time. */
export interface ExampleConfig extends Record<string, unknown> {
  /** Ticks per second, 0.1 to 100. */
  rate_hz: number;
}

/** Registry name and default ports of the example worker. */
export const EXAMPLE_DEFAULTS = { name: 'example_worker', commandPort: 5051, telemetryPort: 5052 } as const;

const MIN_RATE_HZ = 0.1;
const MAX_RATE_HZ = 100;

/**
 * The example worker.
 *
 * @example
 * await new ExampleWorker().run();
 */
export class ExampleWorker extends Worker<ExampleConfig> {
  private count = 0;
  private ticker: NodeJS.Timeout | undefined;

  constructor(options: Partial<WorkerOptions<ExampleConfig>> = {}) {
    super({ ...EXAMPLE_DEFAULTS, config: { rate_hz: 10 }, ...options });
    this.command('reset', (payload) => this.reset(payload));
  }

  protected override async onStart(): Promise<void> {
    this.startTicker();
  }

  protected override async onStop(): Promise<void> {
    this.ticker = undefined;
  }

  protected override describeState(): Record<string, unknown> {
    return { count: this.count };
  }

  protected override checkConfig(key: string, value: unknown): true | string {
    if (key === 'rate_hz' && (typeof value !== 'number' || value < MIN_RATE_HZ || value > MAX_RATE_HZ)) {
      return `expected a number from ${MIN_RATE_HZ} to ${MAX_RATE_HZ} ticks per second, received ${JSON.stringify(value)}`;
    }
    return super.checkConfig(key, value);
  }

  protected override onConfigChanged(changes: Partial<ExampleConfig>): void {
    if (changes.rate_hz !== undefined) this.startTicker();
  }

  private startTicker(): void {
    if (this.ticker !== undefined) this.cancel(this.ticker);
    const rateHz = this.config.rate_hz;
    this.ticker = this.every(1000 / rateHz, () => {
      this.count++;
      const tick: ExampleTick = { count: this.count, rate_hz: rateHz };
      this.publish(Topics.exampleTick, tick);
    });
  }

  private reset(payload: Record<string, unknown>): Record<string, unknown> {
    const to = payload.to ?? 0;
    if (typeof to !== 'number' || !Number.isInteger(to) || to < 0) {
      throw new VjError(
        'VJ_BUS_INVALID_PAYLOAD',
        `reset expects "to" to be a non-negative integer, received ${JSON.stringify(to)}`,
        {
          field: 'to',
          value: to,
        },
      );
    }
    const previous = this.count;
    this.count = to;
    this.log.info({ previous, count: to }, 'counter reset');
    return { previous, count: to };
  }
}
