export {
  Registry,
  type RegistryCorruptEvent,
  type RegistryEvents,
  type RegistryOptions,
  type ResolvedRegistryOptions,
  type ServiceHealth,
  type ServiceRegistration,
} from './registry';
export {
  DEFAULT_SERVICE_HOST,
  REGISTRY_VERSION,
  RegistryEntry,
  RegistryEntryValidator,
  RegistryFile,
  RegistryFileValidator,
  ServicePorts,
  ServiceStatus,
  ServiceStatuses,
} from './schema';
