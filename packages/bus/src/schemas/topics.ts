/**
 * Telemetry topics, event names and log levels: the single list that types
 * and subscriptions derive from. Topics are dot-separated; PUB/SUB matches by
 * byte prefix, so subscribe to a family with its trailing dot (`logs.`).
 */
export const Topics = {
  audioFeatures: 'audio.features',
  audioBeat: 'audio.beat',
  audioStats: 'audio.stats',
  spotifyState: 'spotify.state',
  oscMessages: 'osc.messages',
  oscStats: 'osc.stats',
  logsAggregated: 'logs.aggregated',
  logsAlert: 'logs.alert',
  exampleTick: 'example.tick',
  heartbeat: 'heartbeat',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Prefixes of the topic families whose last part varies. */
export const TopicFamilies = {
  logs: 'logs.',
  events: 'events.',
} as const;

/** pino's level names, in increasing severity; each worker log record goes out on `logs.<level>`. */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export type LogLevel = (typeof LogLevels)[number];

/** Lifecycle events of the process manager, published on `events.<event>`. */
export const EventNames = [
  'worker_started',
  'worker_stopped',
  'worker_crashed',
  'worker_restarted',
  'worker_unhealthy',
  'worker_recovered',
  'worker_errored',
] as const;

export type EventName = (typeof EventNames)[number];

/** Topic of a log record of the given level. */
export function logTopic(level: LogLevel): `logs.${LogLevel}` {
  return `logs.${level}`;
}

/** Topic of a lifecycle event. */
export function eventTopic(event: EventName): `events.${EventName}` {
  return `events.${event}`;
}
