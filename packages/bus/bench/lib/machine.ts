/** Description of the machine and software versions that a benchmark ran on. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { version as libzmqVersion } from 'zeromq';

/** Hardware and software facts printed with every run. */
export interface MachineInfo {
  /** Logical CPUs available to this process, as `nproc` counts them. */
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  zeromqJs: string;
  libzmq: string;
}

/** Reads the machine facts from Node's `os` module, /etc/os-release and the zeromq package. */
export function describeMachine(): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${readOsName()} (${os.type()} ${os.release()})`,
    node: process.version,
    zeromqJs: readZeromqJsVersion(),
    libzmq: libzmqVersion,
  };
}

function readOsName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
    return match?.[1] ?? os.platform();
  } catch {
    return os.platform();
  }
}

function readZeromqJsVersion(): string {
  const manifest = require('zeromq/package.json') as { version: string };
  return manifest.version;
}
