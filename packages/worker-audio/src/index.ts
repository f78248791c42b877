/**
 * @vj/worker-audio: the audio analyser worker, its sources, its analysis and
 * its OSC output. Names are listed one by one, as in @vj/bus, so that ESM
 * callers can import them by name.
 */
export {
  type AnalysisChanges,
  type AnalysisConfig,
  type AnalysisOptions,
  Analyzer,
  DEFAULT_ANALYSIS_CONFIG,
  type FrameFeatures,
  HopSplitter,
  type InputLevelStatus,
  resolveAnalysisConfig,
  SPECTRUM_BINS,
} from './analysis';
export {
  type AudioConfig,
  checkAudioConfig,
  checkAudioConfigKey,
  DEFAULT_AUDIO_CONFIG,
  type FeatureSwitches,
  REOPEN_KEYS,
} from './audio-config';
export { AUDIO_DEFAULTS, AudioWorker, type AudioWorkerOptions } from './audio-worker';
export {
  type AnalysisSummary,
  type AnalyzeOptions,
  analyzeDecoded,
  analyzeFile,
  type LevelStats,
} from './cli/analyze';
export { configFromEnv } from './env-config';
export { type AudioErrorCode, AudioErrorCodes } from './errors';
export {
  type AddressMap,
  type AddressRule,
  applyAddressMap,
  loadAddressMap,
  parseAddressMap,
} from './output/address-map';
export { frameMessages, OscAddresses, type OscArgument, type OscMessage } from './output/osc-messages';
export {
  checkOscTarget,
  MAX_DELAY_MS,
  OscSender,
  type OscTarget,
  type OscTargetStats,
} from './output/osc-sender';
export { readAudioFile } from './sources/audio-file';
export { DemoSource, type DemoSourceOptions } from './sources/demo-source';
export { describeDevice, type InputDevice, isLoopbackName, listInputDevices } from './sources/device-list';
export { loadDeviceChoice, saveDeviceChoice, selectDevice } from './sources/device-select';
export { DeviceSource, type DeviceSourceOptions } from './sources/device-source';
export { FileSource, type FileSourceOptions } from './sources/file-source';
export type { AudioBlock, AudioSource, SourceInfo, SourceKind, SourceStatus } from './sources/source';
export { StdinSource, type StdinSourceOptions } from './sources/stdin-source';
export { type DecodedAudio, decodeWav } from './sources/wav';
