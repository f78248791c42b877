/**
 * @vj/bus: the one public door of the package. Names are listed one by one,
 * not with `export *`, so that ESM callers can import them by name from this
 * CommonJS package (Node detects only explicit exports in CommonJS).
 */
export { BusClient, type BusClientEvents, type BusClientOptions } from './client/bus-client';
export { type BusErrorCode, BusErrorCodes, isVjError, VjError, type VjErrorFields } from './errors';
export {
  DEFAULT_SERVICE_HOST,
  REGISTRY_VERSION,
  Registry,
  type RegistryCorruptEvent,
  RegistryEntry,
  RegistryEntryValidator,
  type RegistryEvents,
  RegistryFile,
  RegistryFileValidator,
  type RegistryOptions,
  type ResolvedRegistryOptions,
  type ServiceHealth,
  ServicePorts,
  type ServiceRegistration,
  ServiceStatus,
  ServiceStatuses,
} from './registry';
export {
  checkPayload,
  type Decoded,
  decodeCommand,
  decodePublished,
  decodeResponse,
  encodeMessage,
  formatIssues,
  type PublishedMessage,
  type SchemaIssue,
} from './schemas/codec';
export {
  Command,
  CommandValidator,
  Event,
  EventValidator,
  Heartbeat,
  HeartbeatValidator,
  Message,
  Response,
  ResponseStatus,
  ResponseValidator,
  Telemetry,
  TelemetryValidator,
} from './schemas/envelope';
export {
  AggregatedLogRecord,
  AggregatedLogRecordValidator,
  LogAlert,
  LogAlertValidator,
  LogQueryResult,
  LogQueryResultValidator,
  type LogRoute,
  LogRoutes,
  LogsAggregated,
  LogsAggregatedValidator,
} from './schemas/log-payloads';
export {
  NowPlaying,
  NowPlayingAvailabilities,
  type NowPlayingAvailability,
  type NowPlayingField,
  NowPlayingFields,
  NowPlayingValidator,
  PlaybackStatus,
} from './schemas/now-playing-payloads';
export {
  OscAddressStats,
  OscCapturedEntry,
  OscCapturedEntryValidator,
  OscCapturedMalformed,
  OscCapturedMessage,
  OscJsonArg,
  OscJsonArgValidator,
  OscMessages,
  OscMessagesValidator,
  OscStats,
  OscStatsValidator,
} from './schemas/osc-payloads';
export {
  AudioBeat,
  AudioBeatValidator,
  AudioFeatures,
  AudioFeaturesValidator,
  AudioStats,
  AudioStatsValidator,
  BandEdgesHz,
  type BandName,
  BandNames,
  BeatOverride,
  ExampleTick,
  ExampleTickValidator,
  InputStatus,
  LogRecord,
  LogRecordValidator,
  WorkerState,
  WorkerStateValidator,
  WorkerStatus,
} from './schemas/payloads';
export {
  type EventName,
  EventNames,
  eventTopic,
  type LogLevel,
  LogLevels,
  logTopic,
  type Topic,
  TopicFamilies,
  Topics,
} from './schemas/topics';
export { CommandClient, type CommandClientOptions, type RequestOptions } from './transport/command-client';
export {
  type CommandHandler,
  type CommandResult,
  CommandServer,
  type CommandServerEvents,
  type CommandServerOptions,
} from './transport/command-server';
export { DEFAULT_HOST, tcpEndpoint } from './transport/endpoint';
export {
  type PublisherStats,
  TelemetryPublisher,
  type TelemetryPublisherOptions,
} from './transport/publisher';
export {
  type SubscriberStats,
  TelemetrySubscriber,
  type TelemetrySubscriberEvents,
  type TelemetrySubscriberOptions,
} from './transport/subscriber';
export type { ResolvedWorkerOptions, WorkerOptions } from './worker/options';
export { SHUTDOWN_TIMEOUT_MS, Worker } from './worker/worker';
