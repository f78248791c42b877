export { devAudioDir } from './audio-data';
export { allocatePort, allocatePorts } from './ports';
export { makeTempDir, removeDir } from './temp';
export { requirePythonModule, requireTool, testPython } from './tools';
export { type WaitForOptions, waitFor } from './wait';
