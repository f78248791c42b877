import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { makeTempDir, removeDir } from '../src';

describe('makeTempDir', () => {
  test('creates a private folder under tmpdir', async () => {
    const path = await makeTempDir('vj-temp-test-');
    try {
      const info = await stat(path);

      expect(info.isDirectory()).toBe(true);
      expect(info.mode & 0o777).toBe(0o700);
      expect(dirname(path)).toBe(tmpdir());
      expect(basename(path)).toMatch(/^vj-temp-test-.{6}$/);
    } finally {
      await removeDir(path);
    }
  });

  test('creates a new folder on each call', async () => {
    const first = await makeTempDir('vj-temp-test-');
    const second = await makeTempDir('vj-temp-test-');

    expect(first).not.toBe(second);
    await removeDir(first);
    await removeDir(second);
  });

  test('rejects a prefix with a path separator', async () => {
    await expect(makeTempDir('../escape-')).rejects.toThrow('must be a plain name');
  });
});

describe('removeDir', () => {
  test('removes a folder and its contents', async () => {
    const path = await makeTempDir('vj-temp-test-');
    await mkdir(join(path, 'nested'));
    await writeFile(join(path, 'nested', 'file.txt'), 'content');

    await removeDir(path);

    expect(existsSync(path)).toBe(false);
  });

  test('accepts a folder that is already gone', async () => {
    const path = await makeTempDir('vj-temp-test-');
    await removeDir(path);

    await expect(removeDir(path)).resolves.toBeUndefined();
  });

  test.each([
    ['tmpdir itself', tmpdir()],
    ['the home folder', homedir()],
    ['a path that climbs out of tmpdir', join(tmpdir(), '..', 'etc')],
  ])('rejects %s', async (_name, path) => {
    await expect(removeDir(path)).rejects.toThrow('must be inside');
  });
});
