/**
 * Turns the JSON files of several runs (`pnpm bench --json FILE`) into the
 * Markdown tables of docs/benchmarks.md: one table per figure, with the
 * median over the runs, their spread and each run's value, for p50, p90 and
 * max.
 *
 * Usage: node --import tsx bench/summarize.ts FILE.json …
 */
import { readFileSync } from 'node:fs';
import { formatMs } from './lib/report';
import type { BenchResult, GoalVerdict, RecoveryPhase } from './lib/result';
import { type DurationSummary, median } from './lib/stats';

/** A figure of the tables: its heading and where its summary sits in a run. */
interface Figure {
  heading: string;
  summaryOf: (run: BenchResult) => DurationSummary | undefined;
}

const FIGURES: readonly Figure[] = [
  ...recoveryFigures('through tsx', (run) => run.recovery),
  ...recoveryFigures('from the bundle', (run) => run.recoveryBuilt),
  {
    heading: 'Start outside pm2 with `node --import tsx src/main.ts`',
    summaryOf: (run) => run.coldStart?.summary.tsx,
  },
  { heading: 'Start outside pm2 from the bundle', summaryOf: (run) => run.coldStart?.summary.built },
];

const STATISTICS: ReadonlyArray<{ label: string; key: keyof DurationSummary }> = [
  { label: 'p50', key: 'p50Ms' },
  { label: 'p90', key: 'p90Ms' },
  { label: 'max', key: 'maxMs' },
];

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('Usage: node --import tsx bench/summarize.ts FILE.json …');
    process.exitCode = 2;
    return;
  }
  const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
  console.log([...formatRuns(runs), ...FIGURES.flatMap((figure) => formatFigure(figure, runs))].join('\n'));
}

function recoveryFigures(runner: string, phaseOf: (run: BenchResult) => RecoveryPhase | undefined): Figure[] {
  return [
    {
      heading: `Worker run ${runner}: kill to pm2's \`online\` event`,
      summaryOf: (run) => phaseOf(run)?.summary.online,
    },
    {
      heading: `Worker run ${runner}: kill to the \`worker_restarted\` event`,
      summaryOf: (run) => phaseOf(run)?.summary.restartedEvent,
    },
    {
      heading: `Worker run ${runner}: kill to a healthy \`health_check\` response`,
      summaryOf: (run) => phaseOf(run)?.summary.health,
    },
    {
      heading: `Worker run ${runner}: \`delay_ms\` of \`worker_restarted\``,
      summaryOf: (run) => phaseOf(run)?.summary.delay,
    },
  ];
}

function formatRuns(runs: readonly BenchResult[]): string[] {
  const lines = [
    '| Run | Date (UTC) | Commit, sources digest | Duration | CPU of other processes: tsx kills, bundle kills, starts | Goal, tsx | Goal, bundle | Estimate for the bundle |',
    '| --- | --- | --- | ---: | --- | --- | --- | --- |',
  ];
  runs.forEach((run, i) => {
    const cpu = [run.recovery?.cpu, run.recoveryBuilt?.cpu, run.coldStart?.cpu]
      .map((share) => (share === undefined ? 'n/a' : `${share.otherPercent.toFixed(0)} %`))
      .join(', ');
    const { tsx, built, builtEstimate } = run.goal;
    lines.push(
      `| ${i + 1} | ${run.date.slice(0, 16).replace('T', ' ')} | ${run.source?.commit ?? '?'}, ${run.source?.digest ?? '?'} | ` +
        `${run.durationS.toFixed(0)} s | ${cpu} | ${verdictText(tsx)} | ${verdictText(built)} | ${verdictText(builtEstimate)} |`,
    );
  });
  return lines;
}

function verdictText(verdict: GoalVerdict | undefined): string {
  if (verdict === undefined) return '';
  return `${verdict.met ? 'met' : 'not met'}, ${verdict.withinLimit} of ${verdict.kills}`;
}

function formatFigure(figure: Figure, runs: readonly BenchResult[]): string[] {
  const summaries = runs.map(figure.summaryOf);
  if (summaries.every((summary) => summary === undefined)) return [];
  const lines = [
    '',
    `#### ${figure.heading} (ms)`,
    '',
    '| | Median | Spread | Runs |',
    '| --- | ---: | ---: | --- |',
  ];
  for (const { label, key } of STATISTICS) {
    const values = summaries.map((summary) => summary?.[key] ?? Number.NaN);
    const measured = values.filter((value) => !Number.isNaN(value));
    const spread = `${formatMs(Math.min(...measured))}–${formatMs(Math.max(...measured))}`;
    lines.push(
      `| ${label} | ${formatMs(median(measured))} | ${spread} | ${values.map(formatMs).join(', ')} |`,
    );
  }
  return lines;
}

main();
