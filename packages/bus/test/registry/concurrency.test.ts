import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Registry } from '../../src/registry';
import { type ChildResult, makeTempHome, removeTempHome, spawnTsx, waitForExit } from './helpers';

const WRITER_SCRIPT = join(__dirname, 'fixtures', 'heartbeat-writer.ts');

let vjHome: string;

beforeEach(async () => {
  vjHome = await makeTempHome();
});

afterEach(async () => {
  await removeTempHome(vjHome);
});

function startWriters(count: number, beats: number, paddingBytes: number): Promise<ChildResult>[] {
  const writers: Promise<ChildResult>[] = [];
  for (let index = 0; index < count; index += 1) {
    const args = [vjHome, `writer_${index}`, String(beats), String(6000 + index * 2), String(paddingBytes)];
    writers.push(waitForExit(spawnTsx(WRITER_SCRIPT, args)));
  }
  return writers;
}

test('registry loses no update across 8 writers', async () => {
  const writerCount = 8;
  const beats = 200;

  const results = await Promise.all(startWriters(writerCount, beats, 0));

  for (const result of results) {
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    // Only the first beat may restore. A later restore means another writer
    // replaced the file without this entry, which is a lost update.
    expect(JSON.parse(result.stdout)).toEqual({ restored: 1 });
  }

  const services = await new Registry({ vjHome }).list({ includeStale: true });
  expect(Object.keys(services).sort()).toEqual(results.map((_, index) => `writer_${index}`).sort());
  results.forEach((result, index) => {
    const entry = services[`writer_${index}`];
    expect(entry?.pid).toBe(result.pid);
    expect(entry?.metadata).toEqual({ beats });
    expect(entry?.status).toBe('running');
  });
}, 60_000);

test('reader never sees a partial file', async () => {
  // 100 KB of padding per entry makes a write take many write() calls, so a
  // non-atomic writer would be caught mid-file.
  const writers = startWriters(2, 150, 100_000);
  let finished = false;
  const allDone = Promise.all(writers).finally(() => {
    finished = true;
  });

  const registryPath = new Registry({ vjHome }).path;
  const seenHeartbeats = new Set<number>();
  const parseErrors: string[] = [];
  let reads = 0;

  while (!finished) {
    for (let batch = 0; batch < 50; batch += 1) {
      let text: string;
      try {
        text = readFileSync(registryPath, 'utf8');
      } catch (error) {
        // The file does not exist until the first write.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      reads += 1;
      try {
        const parsed = JSON.parse(text) as { services: Record<string, { heartbeat_at: number }> };
        for (const entry of Object.values(parsed.services)) seenHeartbeats.add(entry.heartbeat_at);
      } catch (error) {
        parseErrors.push(`${(error as Error).message} at length ${text.length}`);
      }
    }
    await yieldToEventLoop();
  }

  const results = await allDone;
  for (const result of results)
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(parseErrors).toEqual([]);
  expect(reads).toBeGreaterThan(1000);
  // The reads overlapped the writes: many versions of the file were seen.
  expect(seenHeartbeats.size).toBeGreaterThan(20);
}, 60_000);
