/**
 * Schemas of `$VJ_HOME/registry.json`, the file through which workers find
 * each other. The format is shared with Python clients of the original
 * implementation, so field names are snake_case and times are Unix seconds.
 * Objects accept fields that are not listed here, and vj keeps them when it
 * rewrites the file, so fields added by another client survive.
 *
 * @example
 * {"version":"1.0","services":{"audio_analyzer":{"pid":123,"status":"running",
 *  "heartbeat_at":1733234567.89,"ports":{"command":5001,"telemetry":5002},"metadata":{}}}}
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** Format version that vj writes into a new registry file. */
export const REGISTRY_VERSION = '1.0';

/** Default bind address of a service when its entry does not name one. */
export const DEFAULT_SERVICE_HOST = '127.0.0.1';

/** Lifecycle states of a service, in the order a service normally passes them. */
export const ServiceStatuses = ['starting', 'running', 'stopping', 'stopped', 'crashed'] as const;

/** Lifecycle state of a service as stored in its registry entry. */
export const ServiceStatus = Type.Union(ServiceStatuses.map((status) => Type.Literal(status)));
export type ServiceStatus = Static<typeof ServiceStatus>;

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/** TCP ports of a service: ZMQ REP for commands and ZMQ PUB for telemetry. */
export const ServicePorts = Type.Object({
  command: Port,
  telemetry: Port,
});
export type ServicePorts = Static<typeof ServicePorts>;

/** One service in the registry, keyed by its name in `services`. */
export const RegistryEntry = Type.Object({
  pid: Type.Integer({ minimum: 1, description: 'Process id of the service on this machine' }),
  status: ServiceStatus,
  heartbeat_at: Type.Number({ description: 'Unix time in seconds of the last heartbeat' }),
  ports: ServicePorts,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  host: Type.Optional(Type.String({ minLength: 1, description: 'Bind address, 127.0.0.1 when absent' })),
  started_at: Type.Optional(Type.Number({ description: 'Unix time in seconds when the process registered' })),
});
export type RegistryEntry = Static<typeof RegistryEntry>;

/**
 * The whole registry file. Any 1.x version is read, because a minor version
 * may only add optional fields.
 */
export const RegistryFile = Type.Object({
  version: Type.String({ pattern: '^1\\.[0-9]+$' }),
  services: Type.Record(Type.String(), RegistryEntry),
});
export type RegistryFile = Static<typeof RegistryFile>;

export const RegistryEntryValidator = TypeCompiler.Compile(RegistryEntry);
export const RegistryFileValidator = TypeCompiler.Compile(RegistryFile);
