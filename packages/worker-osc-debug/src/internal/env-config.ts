/**
 * Reads the worker's OSC settings from environment variables, which is how
 * pm2 (the app's `env` in ecosystem.config.ts) and tests pass them to
 * src/main.ts. The environment is an edge, so every value is checked here.
 *
 * @internal
 */
import net from 'node:net';
import { VjError } from '@vj/bus';
import { checkForwardTarget } from '../capture/forwarder';
import { OscErrorCodes } from '../errors';
import { OSC_DEBUG_DEFAULTS, type OscDebugConfig } from '../osc-debug-worker';

/**
 * Returns the default configuration with the variables that are set and not
 * empty applied: `VJ_OSC_HOST` (IPv4 address to bind), `VJ_OSC_PORTS`
 * (comma-separated UDP ports, e.g. `9001,9002`) and `VJ_OSC_FORWARD`
 * (comma-separated `host:port` targets).
 *
 * @throws VjError VJ_OSC_INVALID_ENV naming the variable, its value and the expected form.
 * @example
 * new OscDebugWorker({ config: oscConfigFromEnv(process.env) });
 * @internal
 */
export function oscConfigFromEnv(env: NodeJS.ProcessEnv): OscDebugConfig {
  const config: OscDebugConfig = {
    ...OSC_DEBUG_DEFAULTS.config,
    ports: [...OSC_DEBUG_DEFAULTS.config.ports],
    forward: [...OSC_DEBUG_DEFAULTS.config.forward],
  };

  const host = env.VJ_OSC_HOST;
  if (host !== undefined && host !== '') {
    if (!net.isIPv4(host)) throw invalidEnv('VJ_OSC_HOST', host, 'an IPv4 address such as 127.0.0.1');
    config.host = host;
  }

  const ports = env.VJ_OSC_PORTS;
  if (ports !== undefined && ports !== '') config.ports = parsePorts(ports);

  const forward = env.VJ_OSC_FORWARD;
  if (forward !== undefined && forward !== '') config.forward = parseForward(forward);

  const loop = config.forward.find((target) => isOwnPort(target, config));
  if (loop !== undefined) {
    throw invalidEnv(
      'VJ_OSC_FORWARD',
      forward as string,
      `targets other than the ports this worker listens on, but ${loop} would loop every datagram back`,
    );
  }
  return config;
}

function parsePorts(text: string): number[] {
  const expected = 'comma-separated distinct UDP ports from 1 to 65535, such as 9001,9002';
  const parts = text.split(',').map((part) => part.trim());
  // Digits only, because Number() would also accept "0x10", "1e3" and an empty part as 0.
  if (!parts.every((part) => /^[0-9]{1,5}$/.test(part))) throw invalidEnv('VJ_OSC_PORTS', text, expected);

  const ports = parts.map(Number);
  const valid = ports.every((port) => port >= 1 && port <= 65535);
  if (!valid || new Set(ports).size !== ports.length) throw invalidEnv('VJ_OSC_PORTS', text, expected);
  return ports;
}

function parseForward(text: string): string[] {
  const targets = text.split(',').map((part) => part.trim());
  for (const target of targets) {
    const verdict = checkForwardTarget(target);
    if (verdict !== true) {
      throw invalidEnv('VJ_OSC_FORWARD', text, `comma-separated "host:port" targets (${verdict})`);
    }
  }
  if (new Set(targets).size !== targets.length) {
    throw invalidEnv('VJ_OSC_FORWARD', text, 'distinct "host:port" targets');
  }
  return targets;
}

function isOwnPort(target: string, config: OscDebugConfig): boolean {
  const colon = target.lastIndexOf(':');
  const sameHost = target.slice(0, colon) === config.host || config.host === '0.0.0.0';
  return sameHost && config.ports.includes(Number(target.slice(colon + 1)));
}

function invalidEnv(variable: string, value: string, expected: string): VjError {
  return new VjError(
    OscErrorCodes.VJ_OSC_INVALID_ENV,
    `Environment variable ${variable} is ${JSON.stringify(value)}; expected ${expected}`,
    { variable, value, shortMessage: `invalid ${variable}` },
  );
}
