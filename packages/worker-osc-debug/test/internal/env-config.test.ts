import type { VjError } from '@vj/bus';
import { oscConfigFromEnv } from '../../src/internal/env-config';
import { OSC_DEBUG_DEFAULTS } from '../../src/osc-debug-worker';

function rejection(env: NodeJS.ProcessEnv): VjError | undefined {
  try {
    oscConfigFromEnv(env);
  } catch (error) {
    return error as VjError;
  }
  return undefined;
}

describe('oscConfigFromEnv', () => {
  test('unset and empty variables keep the defaults', () => {
    const expected = { ...OSC_DEBUG_DEFAULTS.config, ports: [9001], forward: [] };

    expect(oscConfigFromEnv({})).toEqual(expected);
    expect(oscConfigFromEnv({ VJ_OSC_HOST: '', VJ_OSC_PORTS: '', VJ_OSC_FORWARD: '' })).toEqual(expected);
  });

  test('variables set host, ports and forward targets', () => {
    const config = oscConfigFromEnv({
      VJ_OSC_HOST: '0.0.0.0',
      VJ_OSC_PORTS: '9001, 9002',
      VJ_OSC_FORWARD: '127.0.0.1:9000,127.0.0.1:9100',
    });

    expect(config).toEqual({
      host: '0.0.0.0',
      ports: [9001, 9002],
      buffer_size: OSC_DEBUG_DEFAULTS.config.buffer_size,
      forward: ['127.0.0.1:9000', '127.0.0.1:9100'],
    });
  });

  test.each([
    ['VJ_OSC_HOST', 'localhost', 'IPv4 address'],
    ['VJ_OSC_PORTS', '9001,nine', 'UDP ports from 1 to 65535'],
    ['VJ_OSC_PORTS', '0', 'UDP ports from 1 to 65535'],
    ['VJ_OSC_PORTS', '1e3', 'UDP ports from 1 to 65535'],
    ['VJ_OSC_PORTS', '9001,', 'UDP ports from 1 to 65535'],
    ['VJ_OSC_PORTS', '9001,9001', 'distinct'],
    ['VJ_OSC_FORWARD', '127.0.0.1', '"host:port"'],
    ['VJ_OSC_FORWARD', '127.0.0.1:9000,127.0.0.1:9000', 'distinct'],
    ['VJ_OSC_FORWARD', '127.0.0.1:9001', 'loop'],
  ])('%s=%s is rejected with VJ_OSC_INVALID_ENV', (variable, value, expected) => {
    const error = rejection({ [variable]: value });

    expect(error?.code).toBe('VJ_OSC_INVALID_ENV');
    expect(error?.message).toContain(`${variable} is ${JSON.stringify(value)}`);
    expect(error?.message).toContain(expected);
    expect(error?.fields).toMatchObject({ variable, value });
  });
});
