/**
 * Lists the functions with the most self time in V8 CPU profiles, the files
 * that `node --cpu-prof` writes. Idle time is left out of the percentages.
 *
 * Usage: node --import tsx bench/profile-summary.ts [--top N] FILE.cpuprofile …
 * Profile the bench and its peers with:
 *   node --cpu-prof --cpu-prof-dir=/tmp/bus-profile --import tsx bench/main.ts --only throughput
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** The parts of the `.cpuprofile` format (Chrome DevTools Protocol `Profiler.Profile`) read here. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  /** Node id on top of the stack at each sample. */
  samples: number[];
  /** Time since the previous sample, in µs. */
  timeDeltas: number[];
}

const IDLE = '(idle)';

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '15' } },
    allowPositionals: true,
  });
  const top = Number(values.top);
  if (positionals.length === 0 || !Number.isInteger(top) || top < 1) {
    console.error('Usage: node --import tsx bench/profile-summary.ts [--top N] FILE.cpuprofile …');
    process.exitCode = 2;
    return;
  }
  for (const file of positionals) console.log(summarize(file, top));
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const labels = new Map(profile.nodes.map((node) => [node.id, labelOf(node.callFrame)]));
  const selfUs = new Map<string, number>();
  profile.samples.forEach((nodeId, i) => {
    const label = labels.get(nodeId) ?? '(unknown)';
    selfUs.set(label, (selfUs.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const idleUs = selfUs.get(IDLE) ?? 0;
  selfUs.delete(IDLE);
  const busyUs = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${path.basename(file)}: ${(busyUs / 1000).toFixed(0)} ms busy, ${(idleUs / 1000).toFixed(0)} ms idle`,
    ...rows.map(
      ([label, us]) =>
        `  ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${label}`,
    ),
  ].join('\n');
}

function labelOf(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  return `${name} ${path.basename(frame.url)}:${frame.lineNumber + 1}`;
}

main();
