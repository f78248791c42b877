/**
 * `vj status`: a table of the registered workers and their health, or the
 * same data as one JSON object.
 */
import type { Command } from 'commander';
import { type CliContext, ExitCodes, type Runner, withBus } from './context';
import { formatDuration, formatJson, formatTable, NO_VALUE } from './output';
import { collectStatus, type StatusReport, type StatusRow } from './status-report';

interface StatusOptions {
  json?: boolean;
  check?: boolean;
}

/** Adds `vj status` to the program. */
export function registerStatus(program: Command, run: Runner): void {
  program
    .command('status')
    .summary('show the workers and their health')
    .description(
      'Show every worker in the registry: its status, its reply to health_check, pid, uptime, heartbeat age and ports, and, while the process manager runs, pm2 status and restarts.',
    )
    .option('--json', 'print one JSON object instead of the table')
    .option(
      '--check',
      'exit with code 3 when no worker is registered or a worker is not healthy (workers stopped with vj stop do not count)',
    )
    .addHelpText(
      'after',
      '\nA worker is healthy when its registry heartbeat is fresh (under 15 s old) and it replies "healthy" to\nhealth_check within the request timeout. Without --check, the exit code is 0 whatever the workers report.',
    )
    .action((options: StatusOptions, command: Command) =>
      run(command, async (context) =>
        withBus(context, async (bus) => printStatus(await collectStatus(bus, context), context, options)),
      ),
    );
}

function printStatus(report: StatusReport, context: CliContext, options: StatusOptions): number {
  if (options.json) {
    const workers = Object.fromEntries(report.workers.map(({ name, ...row }) => [name, row]));
    context.io.stdout(formatJson({ ...report, workers }));
  } else if (report.workers.length === 0) {
    context.io.stdout(
      `No workers are registered in ${report.registry}; start them with pnpm start in the vj repository.\n`,
    );
  } else {
    context.io.stdout(formatTable(...tableOf(report)));
    context.io.stdout(notesOf(report, context).join(''));
  }

  if (!options.check) return ExitCodes.ok;
  const attention = report.workers.filter(needsAttention);
  return report.workers.length === 0 || attention.length > 0 ? ExitCodes.unhealthy : ExitCodes.ok;
}

/** Tells whether `--check` counts the row as a problem: every unhealthy worker but one stopped on purpose. */
function needsAttention(row: StatusRow): boolean {
  if (row.healthy) return false;
  return !(row.status === 'not registered' && row.pm2_status === 'stopped');
}

function tableOf(report: StatusReport): [string[], string[][]] {
  const withPm2 = report.process_manager.state === 'ok';
  const header = ['NAME', 'STATUS', 'HEALTH', 'PID', 'UPTIME', 'HEARTBEAT', 'PORTS'];
  if (withPm2) header.push('PM2', 'RESTARTS');

  const rows = report.workers.map((row) => {
    const cells = [
      row.name,
      row.status,
      row.health,
      row.pid === null ? NO_VALUE : String(row.pid),
      row.uptime_s === null ? NO_VALUE : formatDuration(row.uptime_s),
      row.heartbeat_age_s === null ? NO_VALUE : `${formatDuration(row.heartbeat_age_s)} ago`,
      row.ports === null ? NO_VALUE : `${row.ports.command}/${row.ports.telemetry}`,
    ];
    if (withPm2)
      cells.push(row.pm2_status ?? NO_VALUE, row.restarts === null ? NO_VALUE : String(row.restarts));
    return cells;
  });
  return [header, rows];
}

function notesOf(report: StatusReport, context: CliContext): string[] {
  const notes = [`\nPorts are command/telemetry. Registry: ${report.registry}\n`];
  for (const row of report.workers) {
    if (row.health_error !== null)
      notes.push(`${row.name} replied to health_check with an error: ${row.health_error}\n`);
  }

  const { state, error } = report.process_manager;
  if (state === 'not running') {
    notes.push(
      'The process manager is not running, so pm2 status is not shown; pnpm start starts it with the workers.\n',
    );
  } else if (state === 'no reply') {
    notes.push(
      `The process manager did not reply to list_workers within ${context.timeoutMs} ms, so pm2 status is not shown.\n`,
    );
  } else if (state === 'error') {
    notes.push(`The process manager could not list its workers, so pm2 status is not shown: ${error}\n`);
  }
  return notes;
}
