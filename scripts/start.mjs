#!/usr/bin/env node
// `pnpm start`: starts every worker under pm2, then, in an interactive
// terminal, opens the console. Quitting the console leaves the workers
// running; `pnpm console` opens it again and `pnpm stop` stops the workers.
// Set VJ_NO_CONSOLE=1 to only start the workers.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const started = spawnSync(bin('pm2'), ['start', 'ecosystem.config.ts'], { cwd: root, stdio: 'inherit' });
if (started.status !== 0) {
  console.error(
    `pnpm start: pm2 could not start the workers (exit code ${started.status ?? started.signal})`,
  );
  process.exit(started.status ?? 1);
}

const interactive = process.stdin.isTTY && process.stdout.isTTY && process.env.CI === undefined;
if (!interactive || process.env.VJ_NO_CONSOLE === '1') {
  console.log('Workers started. Open the console with `pnpm console`; stop everything with `pnpm stop`.');
  process.exit(0);
}

const consoleRun = spawnSync(bin('vj'), ['console'], { cwd: root, stdio: 'inherit' });
console.log(
  'Console closed; the workers keep running. `pnpm console` opens it again, `pnpm stop` stops them.',
);
process.exit(consoleRun.status ?? 0);
