/**
 * The Audio screen in tmux against the real audio analyser of
 * packages/worker-audio, playing a real music clip in real time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, devAudioDir, makeTempDir, removeDir } from '@vj/test-support';
import {
  isRunning,
  lineWith,
  startConsole,
  startWorkerProcess,
  type TmuxConsole,
  type WorkerProcess,
} from './harness';

jest.setTimeout(120000);

const CPU_WINDOW_MS = 20000;

describe('console audio screen', () => {
  let dir: string;
  let vjHome: string;
  let terminal: TmuxConsole;
  let analyser: WorkerProcess;

  beforeAll(async () => {
    dir = await makeTempDir('vj-console-audio-');
    vjHome = path.join(dir, 'vj');
    const clip = path.join(devAudioDir(), 'xm-house-145bpm.wav');
    analyser = await startWorkerProcess({
      packageDir: 'worker-audio',
      name: 'audio_analyzer',
      vjHome,
      ports: (await allocatePorts(2)) as [number, number],
      env: { VJ_AUDIO_CONFIG: JSON.stringify({ source: 'file', file: clip, osc_targets: [] }) },
    });
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });
    await terminal.waitForScreen((text) => text.includes('audio_analyzer'), 'audio_analyzer listed');
    await terminal.sendKeys('2');
  });

  afterAll(async () => {
    await terminal?.close();
    await analyser?.kill();
    await removeDir(dir);
  });

  test('band bars move while the analyser plays a file', async () => {
    const first = await terminal.waitForScreen((text) => /sub_bass\s+\S*█/.test(text), 'a sub_bass bar');
    const bandsOf = (screen: string) =>
      ['sub_bass', 'bass', 'low_mid', 'mid', 'high_mid', 'presence', 'air', 'rms'].map((band) =>
        lineWith(screen, `${band} `),
      );

    const later = await terminal.waitForScreen(
      (text) => JSON.stringify(bandsOf(text)) !== JSON.stringify(bandsOf(first)),
      'band bars changed',
    );

    const withStats = await terminal.waitForScreen(
      (text) => lineWith(text, 'input:')?.includes('xm-house-145bpm.wav') === true,
      'input source shown',
    );

    expect(bandsOf(later).every((line) => line !== undefined && line.length <= 80)).toBe(true);
    expect(lineWith(withStats, 'input:')).toMatch(/signal|silent/);
    expect(later).toContain('── Spectrum (32 bins)');
    expect(later).toContain('── Analyser');
  });

  test('beat indicator flashes and the tempo is shown', async () => {
    const lit = await terminal.waitForScreen((text) => text.includes('● BEAT'), 'beat indicator lit', 30000);
    const tempo = await terminal.waitForScreen(
      (text) => /BPM \d+\.\d \(confidence/.test(text),
      'BPM shown',
      30000,
    );

    expect(lit).toMatch(/beats \d+/);
    expect(tempo).toMatch(/frames \d+\s+\d+\.\d\/s/);
  });

  test('beat keys halve, release and tap the tempo', async () => {
    const bpmOf = (screen: string) => Number(/BPM (\d+\.\d) \(confidence/.exec(screen)?.[1] ?? 0);
    const tracked = bpmOf(await terminal.waitForScreen((text) => bpmOf(text) > 0, 'a tracked tempo', 30000));

    // 145 BPM doubled leaves the default bpm_range of 60–200, so the analyser rejects it and returns the reason.
    await terminal.sendKeys('*');
    await terminal.waitForScreen(
      (text) => /double tempo: not applied, 29\d\.\d BPM is outside bpm_range/.test(text),
      'doubling rejected',
    );

    await terminal.sendKeys('/');
    const halved = await terminal.waitForScreen(
      (text) => text.includes('halve tempo: ok') && bpmOf(text) < 0.6 * tracked,
      'tempo halved',
    );
    expect(bpmOf(halved)).toBeGreaterThan(0.4 * tracked);
    await terminal.waitForScreen(
      (text) => text.includes('MANUAL: tempo doubled or halved'),
      'manual mode shown',
    );

    await terminal.sendKeys('a');
    const released = await terminal.waitForScreen(
      (text) => text.includes('back to automatic: ok') && bpmOf(text) > 0.8 * tracked,
      'tempo back to tracking',
    );
    expect(bpmOf(released)).toBeLessThan(1.2 * tracked);
    expect(lineWith(released, 'bar beat')).toContain('automatic');

    // Four taps 500 ms apart ask for 120 BPM; key delivery and the analyser's 11.6 ms frames add jitter.
    for (let tap = 0; tap < 4; tap++) {
      await terminal.sendKeys('Space');
      await sleep(500);
    }
    const tapped = await terminal.waitForScreen(
      (text) =>
        text.includes('tap: ok') && /confidence 1\.00/.test(text) && text.includes('MANUAL: tapped tempo'),
      'tapped tempo shown',
    );
    expect(bpmOf(tapped)).toBeGreaterThan(105);
    expect(bpmOf(tapped)).toBeLessThan(137);

    await terminal.sendKeys('a');
    await terminal.waitForScreen((text) => text.includes('back to automatic: ok'), 'taps released');
  });

  test('console CPU with the audio screen open is measured', async () => {
    const pid = await terminal.pid();
    const ticksPerSecond = 100;
    const cpuTicks = () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // utime and stime are fields 14 and 15 of proc(5), 12 and 13 after the ") " split.
      return Number(fields[11]) + Number(fields[12]);
    };

    const before = cpuTicks();
    await sleep(CPU_WINDOW_MS);
    const after = cpuTicks();

    const percent = ((after - before) / ticksPerSecond / (CPU_WINDOW_MS / 1000)) * 100;
    process.stdout.write(
      `console CPU over ${CPU_WINDOW_MS / 1000} s with the audio screen open at 80x24: ${percent.toFixed(1)} % of one core\n`,
    );
    expect(isRunning(pid)).toBe(true);
  });
});
