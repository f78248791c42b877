/** @vj/console: the public door. Names are listed one by one so ESM callers can import them. */
export { main } from './cli/main';
export { type RunConsoleOptions, runConsole } from './console/main';
export { type LifecycleEvent, SystemModel, type SystemModelOptions } from './model/system-model';
