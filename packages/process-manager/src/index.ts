/** @vj/process-manager: the public door. Names are listed one by one so ESM callers can import them. */
export { defineEcosystem, type EcosystemOptions, type WorkerAppOptions } from './ecosystem';
export { type PmErrorCode, PmErrorCodes } from './errors';
export {
  Pm2Adapter,
  type Pm2AdapterEvents,
  type Pm2AdapterOptions,
  type Pm2Process,
  type Pm2ProcessEvent,
} from './pm2-adapter';
export {
  PROCESS_MANAGER_DEFAULTS,
  type ProcessManagerOptions,
  ProcessManagerWorker,
} from './process-manager-worker';
export {
  DEFAULT_RESTART_POLICY,
  type ResolvedRestartPolicyOptions,
  type RestartDecision,
  type RestartDecisionGiveUp,
  type RestartDecisionRestart,
  type RestartPolicyOptions,
  type RestartSnapshot,
  RestartTracker,
  resolveRestartPolicy,
} from './restart-policy';
export { Supervisor, type SupervisorOptions, type WorkerHealth, type WorkerSummary } from './supervisor';
