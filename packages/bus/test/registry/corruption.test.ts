import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { Registry, type RegistryCorruptEvent, type RegistryOptions } from '../../src/registry';
import { makeTempHome, removeTempHome } from './helpers';

const WORKERS = ['audio_analyzer', 'spotify_monitor', 'osc_debugger'] as const;

let vjHome: string;
let nowMs: number;

beforeEach(async () => {
  vjHome = await makeTempHome();
  nowMs = 1_733_234_567_890;
});

afterEach(async () => {
  await removeTempHome(vjHome);
});

/** Creates a Registry that records its `corrupt` events, like the one a worker process holds. */
function makeRegistry(options: RegistryOptions = {}): { registry: Registry; events: RegistryCorruptEvent[] } {
  const registry = new Registry({ vjHome, now: () => nowMs, ...options });
  const events: RegistryCorruptEvent[] = [];
  registry.on('corrupt', (event) => events.push(event));
  return { registry, events };
}

function registrationOf(index: number) {
  return { pid: process.pid, ports: { command: 5001 + index * 20, telemetry: 5002 + index * 20 } };
}

test('heartbeat restores a truncated registry', async () => {
  const first = makeRegistry();
  const second = makeRegistry();
  const third = makeRegistry();
  await first.registry.register('audio_analyzer', registrationOf(0));
  await second.registry.register('spotify_monitor', registrationOf(1));
  await third.registry.register('osc_debugger', registrationOf(2));
  const reader = makeRegistry();
  const registryPath = reader.registry.path;
  const fullText = await readFile(registryPath, 'utf8');
  const truncatedText = fullText.slice(0, Math.floor(fullText.length / 2));
  await writeFile(registryPath, truncatedText);

  expect(await reader.registry.list()).toEqual({});
  expect(await reader.registry.get('audio_analyzer')).toBeUndefined();
  expect(reader.events).toHaveLength(1);
  expect(reader.events[0]?.backupPath).toBeNull();

  nowMs += 5000;
  expect(await first.registry.heartbeat('audio_analyzer', registrationOf(0))).toEqual({ restored: true });

  expect(first.events).toHaveLength(1);
  const event = first.events[0] as RegistryCorruptEvent;
  expect(event.path).toBe(registryPath);
  expect(event.error.code).toBe('VJ_REGISTRY_CORRUPT');
  expect(event.backupPath).toBe(`${registryPath}.corrupt-${nowMs}`);
  expect(await readFile(event.backupPath as string, 'utf8')).toBe(truncatedText);
  expect(Object.keys(await reader.registry.list())).toEqual(['audio_analyzer']);

  expect(await second.registry.heartbeat('spotify_monitor', registrationOf(1))).toEqual({ restored: true });
  expect(await third.registry.heartbeat('osc_debugger', registrationOf(2))).toEqual({ restored: true });
  expect(await first.registry.heartbeat('audio_analyzer', registrationOf(0))).toEqual({ restored: false });

  expect(Object.keys(await reader.registry.list()).sort()).toEqual([...WORKERS].sort());
  expect(first.events).toHaveLength(1);
  expect(second.events).toHaveLength(0);
  expect(third.events).toHaveLength(0);
  expect(reader.events).toHaveLength(1);
});

test.each([
  ['a JSON array', '[]'],
  ['a JSON string', '"registry"'],
  ['null', 'null'],
  ['an object without services', '{"version":"1.0"}'],
  [
    'an entry without a pid',
    '{"version":"1.0","services":{"a":{"status":"running","heartbeat_at":1,"ports":{"command":1,"telemetry":2},"metadata":{}}}}',
  ],
  ['services given as a list', '{"version":"1.0","services":[]}'],
])('registry treats %s as corrupt', async (_case, content) => {
  const { registry, events } = makeRegistry();
  await registry.register('audio_analyzer', registrationOf(0));
  await writeFile(registry.path, content);

  expect(await registry.list()).toEqual({});
  expect(await registry.heartbeat('audio_analyzer', registrationOf(0))).toEqual({ restored: true });

  expect(events.map((event) => event.error.code)).toEqual(['VJ_REGISTRY_CORRUPT', 'VJ_REGISTRY_CORRUPT']);
  expect(events[0]?.backupPath).toBeNull();
  expect(await readFile(events[1]?.backupPath as string, 'utf8')).toBe(content);
  expect(Object.keys(await registry.list())).toEqual(['audio_analyzer']);
});

test('reader reports each corrupt file once', async () => {
  const { registry, events } = makeRegistry();
  await writeFile(registry.path, '{"version":');

  await registry.list();
  await registry.get('audio_analyzer');
  await registry.health('audio_analyzer');
  expect(events).toHaveLength(1);

  await writeFile(registry.path, '{"version":"1.0","services":');
  await registry.list();
  expect(events).toHaveLength(2);
});

test('registry recovers without a corrupt listener', async () => {
  const registry = new Registry({ vjHome });
  await writeFile(registry.path, 'not json');

  expect(registry.listenerCount('corrupt')).toBe(0);
  await expect(registry.list()).resolves.toEqual({});
  await expect(registry.heartbeat('audio_analyzer', registrationOf(0))).resolves.toEqual({ restored: true });
});

test('unregister moves a corrupt file aside', async () => {
  const { registry, events } = makeRegistry();
  await writeFile(registry.path, '{');

  expect(await registry.unregister('audio_analyzer')).toBe(false);

  expect(events).toHaveLength(1);
  await expect(stat(registry.path)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await stat(events[0]?.backupPath as string)).toBeTruthy();
});

test('corrupt backups keep the three newest', async () => {
  const { registry, events } = makeRegistry();
  for (let round = 0; round < 5; round += 1) {
    await writeFile(registry.path, `garbage ${round}`);
    nowMs += 1000;
    await registry.heartbeat('audio_analyzer', registrationOf(0));
  }

  const backups = (await readdir(vjHome)).filter((name) => name.startsWith('registry.json.corrupt-')).sort();
  expect(events).toHaveLength(5);
  expect(backups).toEqual(
    events.slice(2).map((event) => (event.backupPath as string).slice(vjHome.length + 1)),
  );
});
