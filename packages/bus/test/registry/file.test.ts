import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry, type RegistryFile } from '../../src/registry';
import {
  ensureRegistryFolder,
  MAX_CORRUPT_BACKUPS,
  moveCorruptFile,
  readRegistryFile,
  writeRegistryFile,
} from '../../src/registry/file';
import { makeTempHome, removeTempHome } from './helpers';

const ENTRY = {
  pid: 123,
  status: 'running' as const,
  heartbeat_at: 1733234567.89,
  ports: { command: 5001, telemetry: 5002 },
  metadata: {},
};

let tempRoot: string;

beforeEach(async () => {
  tempRoot = await makeTempHome();
});

afterEach(async () => {
  await removeTempHome(tempRoot);
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('permissions', () => {
  test('registry file is written with mode 0600', async () => {
    const registry = new Registry({ vjHome: tempRoot });

    await registry.register('audio_analyzer', { pid: process.pid, ports: ENTRY.ports });

    expect((await modeOf(registry.path)).toString(8)).toBe('600');
  });

  test('registry folder is created with mode 0700', async () => {
    const vjHome = join(tempRoot, 'nested', 'vj');
    const registry = new Registry({ vjHome });

    await registry.register('audio_analyzer', { pid: process.pid, ports: ENTRY.ports });

    expect((await modeOf(vjHome)).toString(8)).toBe('700');
  });

  test('existing 0755 registry folder becomes 0700', async () => {
    const vjHome = join(tempRoot, 'vj');
    await mkdir(vjHome);
    await chmod(vjHome, 0o755);
    const registry = new Registry({ vjHome });

    await registry.register('audio_analyzer', { pid: process.pid, ports: ENTRY.ports });

    expect((await modeOf(vjHome)).toString(8)).toBe('700');
  });

  test('existing 0644 registry file becomes 0600', async () => {
    const registry = new Registry({ vjHome: tempRoot });
    await writeFile(registry.path, JSON.stringify({ version: '1.0', services: {} }), { mode: 0o644 });

    await registry.register('audio_analyzer', { pid: process.pid, ports: ENTRY.ports });

    expect((await modeOf(registry.path)).toString(8)).toBe('600');
  });
});

describe('readRegistryFile', () => {
  test('readRegistryFile reads a missing file as empty', async () => {
    const read = await readRegistryFile(join(tempRoot, 'registry.json'));

    expect(read).toEqual({ ok: true, file: { version: '1.0', services: {} } });
  });

  test('readRegistryFile keeps extra fields', async () => {
    const path = join(tempRoot, 'registry.json');
    const content = { version: '1.1', written_by: 'python', services: { a: { ...ENTRY, extra: [1] } } };
    await writeFile(path, JSON.stringify(content));

    const read = await readRegistryFile(path);

    expect(read).toEqual({ ok: true, file: content });
  });

  test('readRegistryFile reports invalid JSON as corrupt', async () => {
    const path = join(tempRoot, 'registry.json');
    await writeFile(path, '{"version":"1.0","serv');

    const read = await readRegistryFile(path);

    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.code).toBe('VJ_REGISTRY_CORRUPT');
    expect(read.error.message).toContain('is not valid JSON');
    expect(read.error.fields.path).toBe(path);
  });

  test.each([
    ['a JSON array', [ENTRY]],
    ['a missing version', { services: {} }],
    ['version 2.0', { version: '2.0', services: {} }],
    ['a pid given as a string', { version: '1.0', services: { a: { ...ENTRY, pid: '123' } } }],
    ['an unknown status', { version: '1.0', services: { a: { ...ENTRY, status: 'paused' } } }],
    ['a missing ports object', { version: '1.0', services: { a: { ...ENTRY, ports: undefined } } }],
  ])('readRegistryFile reports %s as corrupt', async (_case, content) => {
    const path = join(tempRoot, 'registry.json');
    await writeFile(path, JSON.stringify(content));

    const read = await readRegistryFile(path);

    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.code).toBe('VJ_REGISTRY_CORRUPT');
    expect(read.error.message).toContain('does not match the registry schema');
    expect(read.error.fields.issues).not.toEqual([]);
  });

  test('readRegistryFile reports an empty file as corrupt', async () => {
    const path = join(tempRoot, 'registry.json');
    await writeFile(path, '');

    const read = await readRegistryFile(path);

    expect(read.ok).toBe(false);
  });

  test('readRegistryFile fails on a folder', async () => {
    const path = join(tempRoot, 'registry.json');
    await mkdir(path);

    await expect(readRegistryFile(path)).rejects.toMatchObject({
      code: 'VJ_REGISTRY_IO_FAILED',
      fields: { path },
    });
  });
});

describe('writeRegistryFile', () => {
  test('writeRegistryFile leaves only the registry file behind', async () => {
    const path = join(tempRoot, 'registry.json');
    const file: RegistryFile = { version: '1.0', services: { a: ENTRY } };

    await writeRegistryFile(path, file);
    await writeRegistryFile(path, file);

    expect(await readdir(tempRoot)).toEqual(['registry.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(file);
  });

  test('writeRegistryFile fails without its folder', async () => {
    const path = join(tempRoot, 'missing', 'registry.json');

    await expect(writeRegistryFile(path, { version: '1.0', services: {} })).rejects.toMatchObject({
      code: 'VJ_REGISTRY_IO_FAILED',
      fields: { path },
    });
  });

  test('failed rename leaves no temporary file', async () => {
    // A folder in place of registry.json makes rename fail with EISDIR.
    const path = join(tempRoot, 'registry.json');
    await mkdir(path);

    await expect(writeRegistryFile(path, { version: '1.0', services: {} })).rejects.toMatchObject({
      code: 'VJ_REGISTRY_IO_FAILED',
    });
    expect(await readdir(tempRoot)).toEqual(['registry.json']);
  });
});

describe('ensureRegistryFolder and moveCorruptFile', () => {
  test('ensureRegistryFolder fails on a plain file', async () => {
    const folder = join(tempRoot, 'vj');
    await writeFile(folder, 'not a folder');

    await expect(ensureRegistryFolder(folder)).rejects.toMatchObject({
      code: 'VJ_REGISTRY_IO_FAILED',
      fields: { path: folder },
    });
  });

  test('moveCorruptFile keeps the three newest backups', async () => {
    const path = join(tempRoot, 'registry.json');
    const backups: (string | null)[] = [];
    for (let index = 0; index < 5; index += 1) {
      await writeFile(path, `garbage ${index}`);
      backups.push(await moveCorruptFile(path, 1_000 + index));
    }

    const names = (await readdir(tempRoot)).sort();
    expect(MAX_CORRUPT_BACKUPS).toBe(3);
    expect(names).toEqual([
      'registry.json.corrupt-1002',
      'registry.json.corrupt-1003',
      'registry.json.corrupt-1004',
    ]);
    expect(await readFile(join(tempRoot, 'registry.json.corrupt-1004'), 'utf8')).toBe('garbage 4');
    expect(backups[4]).toBe(join(tempRoot, 'registry.json.corrupt-1004'));
  });

  test('moveCorruptFile keeps same-millisecond backups', async () => {
    const path = join(tempRoot, 'registry.json');
    await writeFile(path, 'first');
    const first = await moveCorruptFile(path, 5_000);
    await writeFile(path, 'second');

    const second = await moveCorruptFile(path, 5_000);

    expect(first).toBe(join(tempRoot, 'registry.json.corrupt-5000'));
    expect(second).toBe(join(tempRoot, 'registry.json.corrupt-5001'));
    expect(await readFile(first as string, 'utf8')).toBe('first');
  });

  test('moveCorruptFile returns null when the file is gone', async () => {
    expect(await moveCorruptFile(join(tempRoot, 'registry.json'), 1_000)).toBeNull();
  });
});
