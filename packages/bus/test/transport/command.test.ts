import { Request } from 'zeromq';
import { isVjError, type VjError } from '../../src/errors';
import { CommandClient } from '../../src/transport/command-client';
import { CommandServer } from '../../src/transport/command-server';
import { delay, endpointFor, PROTOCOLS } from './helpers';

describe.each(PROTOCOLS)('commands over %s', (protocol) => {
  let server: CommandServer;
  let client: CommandClient;

  beforeEach(async () => {
    server = await CommandServer.open({ endpoint: endpointFor(protocol), name: 'test_worker' });
    server.handle('echo', (payload) => ({ echoed: payload }));
    server.handle('explode', () => {
      throw new Error('the handler exploded');
    });
    client = new CommandClient({ endpoint: server.endpoint, source: 'test', timeoutMs: 1000 });
  });

  afterEach(() => {
    client.close();
    server.close();
  });

  test('request resolves with the handler result', async () => {
    await expect(client.request('echo', { a: 1, b: 'two' })).resolves.toEqual({ echoed: { a: 1, b: 'two' } });
  });

  test('send returns the whole response with the request id echoed', async () => {
    const response = await client.send('echo', { x: true });
    expect(response.type).toBe('response');
    expect(response.status).toBe('ok');
    expect(response.source).toBe('test_worker');
    expect(response.error).toBeNull();
  });

  test('unknown command gets an error response listing known commands', async () => {
    const error = await client.request('nope').catch((e: unknown) => e);
    expect(isVjError(error, 'VJ_BUS_COMMAND_FAILED')).toBe(true);
    expect((error as VjError).fields.remoteCode).toBe('VJ_BUS_UNKNOWN_COMMAND');
    expect((error as VjError).message).toContain('echo, explode');
  });

  test('handler error is answered and the server keeps serving', async () => {
    const response = await client.send('explode');
    expect(response.status).toBe('error');
    expect(response.error).toContain('the handler exploded');
    expect(response.code).toBe('VJ_BUS_HANDLER_FAILED');
    await expect(client.request('echo', { after: 1 })).resolves.toEqual({ echoed: { after: 1 } });
  });

  test('queued requests are answered in order', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => client.request('echo', { n })));
    expect(results.map((result) => (result as { echoed: { n: number } }).echoed.n)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('command server with raw frames', () => {
  let server: CommandServer;
  let raw: Request;
  const rejected: VjError[] = [];

  beforeEach(async () => {
    rejected.length = 0;
    server = await CommandServer.open({ endpoint: 'tcp://127.0.0.1:*', name: 'raw_worker' });
    server.handle('ping', () => ({ pong: true }));
    server.on('rejected', (error) => rejected.push(error));
    raw = new Request({ linger: 0, receiveTimeout: 2000 });
    raw.connect(server.endpoint);
  });

  afterEach(() => {
    raw.close();
    server.close();
  });

  async function exchange(frame: string): Promise<Record<string, unknown>> {
    await raw.send(frame);
    const [reply] = await raw.receive();
    return JSON.parse(String(reply)) as Record<string, unknown>;
  }

  test('invalid JSON gets a VJ_BUS_INVALID_JSON response and serving goes on', async () => {
    const reply = await exchange('{"type":"command", oops');
    expect(reply.status).toBe('error');
    expect(reply.code).toBe('VJ_BUS_INVALID_JSON');
    expect(rejected).toHaveLength(1);

    const ok = await exchange(
      JSON.stringify({
        type: 'command',
        id: 'abc',
        timestamp: 1,
        source: null,
        command: 'ping',
        payload: {},
      }),
    );
    expect(ok).toMatchObject({ status: 'ok', id: 'abc', result: { pong: true } });
  });

  test('wrong schema gets VJ_BUS_INVALID_MESSAGE with the id and the path', async () => {
    const reply = await exchange(
      JSON.stringify({
        type: 'command',
        id: 'id-7',
        timestamp: 1,
        source: null,
        command: 'ping',
        payload: 'nope',
      }),
    );
    expect(reply).toMatchObject({ status: 'error', id: 'id-7', code: 'VJ_BUS_INVALID_MESSAGE' });
    expect(String(reply.error)).toContain('/payload');
  });

  test('command written as Python json.dumps is answered', async () => {
    const reply = await exchange(
      '{"type": "command", "id": "py-1", "timestamp": 1733234567.5, "source": "python", "command": "ping", "payload": {}}',
    );
    expect(reply).toEqual({
      type: 'response',
      id: 'py-1',
      timestamp: expect.any(Number),
      source: 'raw_worker',
      status: 'ok',
      result: { pong: true },
      error: null,
    });
  });
});

describe('command client timeouts', () => {
  test('request rejects with VJ_BUS_REQUEST_TIMEOUT when no replier is bound, then recovers', async () => {
    const probe = await CommandServer.open({ endpoint: 'tcp://127.0.0.1:*', name: 'probe' });
    const endpoint = probe.endpoint;
    probe.close();
    await delay(50);

    const client = new CommandClient({ endpoint, timeoutMs: 300 });
    const error = await client.request('ping').catch((e: unknown) => e);
    expect(isVjError(error, 'VJ_BUS_REQUEST_TIMEOUT')).toBe(true);
    expect((error as VjError).fields.timeoutMs).toBe(300);

    const server = await CommandServer.open({ endpoint, name: 'late' });
    server.handle('ping', () => ({ pong: true }));
    await expect(client.request('ping')).resolves.toEqual({ pong: true });
    client.close();
    server.close();
  });

  test('slow handler times out the client and the next request still succeeds', async () => {
    const server = await CommandServer.open({ endpoint: 'tcp://127.0.0.1:*', name: 'slow' });
    server.handle('slow', async () => {
      await delay(400);
      return { late: true };
    });
    server.handle('ping', () => ({ pong: true }));
    const client = new CommandClient({ endpoint: server.endpoint, timeoutMs: 150 });

    const response = await client.send('slow');
    expect(response.status).toBe('timeout');
    await delay(300);
    await expect(client.request('ping', {}, { timeoutMs: 1000 })).resolves.toEqual({ pong: true });
    client.close();
    server.close();
  });

  test('handler that never finishes gets VJ_BUS_HANDLER_FAILED from the server timeout', async () => {
    const server = await CommandServer.open({
      endpoint: 'tcp://127.0.0.1:*',
      name: 'stuck',
      handlerTimeoutMs: 100,
    });
    server.handle('hang', () => new Promise(() => {}));
    const client = new CommandClient({ endpoint: server.endpoint, timeoutMs: 2000 });
    const response = await client.send('hang');
    expect(response.status).toBe('error');
    expect(response.code).toBe('VJ_BUS_HANDLER_FAILED');
    expect(response.error).toContain('100 ms');
    client.close();
    server.close();
  });

  test('closed client rejects with VJ_BUS_CLOSED', async () => {
    const client = new CommandClient({ endpoint: 'tcp://127.0.0.1:1' });
    client.close();
    await expect(client.request('ping')).rejects.toMatchObject({ code: 'VJ_BUS_CLOSED' });
  });
});

describe('command server binding', () => {
  test('second bind on the same port fails with VJ_BUS_PORT_IN_USE', async () => {
    const first = await CommandServer.open({ endpoint: 'tcp://127.0.0.1:*', name: 'first' });
    const error = await CommandServer.open({ endpoint: first.endpoint, name: 'second' }).catch(
      (e: unknown) => e,
    );
    expect(isVjError(error, 'VJ_BUS_PORT_IN_USE')).toBe(true);
    expect((error as VjError).message).toContain(first.endpoint);
    first.close();
  });
});
