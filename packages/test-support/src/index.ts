export { allocatePort, allocatePorts } from './ports';
export { makeTempDir, removeDir } from './temp';
export { requireTool } from './tools';
export { type WaitForOptions, waitFor } from './wait';
