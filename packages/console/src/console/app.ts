/**
 * ConsoleApp: the blessed screen of the console. It draws the visible screen
 * from the SystemModel through a throttled render loop, binds the keys, runs
 * actions and shows their results in the status line. Errors while drawing
 * are counted and shown, never thrown.
 */
import { LogLevels } from '@vj/bus';
import blessed from 'blessed';
import type { ActionResult, AudioDevice } from '../model/actions';
import type { SystemModel } from '../model/system-model';
import type { ChangeKind } from '../model/telemetry';
import { HELP_TEXT, headerText, statusText } from './chrome';
import { bindKeys } from './keys';
import { framesPerSecondFor, RenderLoop } from './render-loop';
import type { Screen, ViewState } from './screen';
import { audioScreen, BEAT_FLASH_MS } from './screens/audio';
import { logsScreen } from './screens/logs';
import { nowPlayingScreen } from './screens/now-playing';
import { oscScreen } from './screens/osc';
import { overviewScreen } from './screens/overview';

/** The screens in the order of their number keys. */
export const SCREENS: readonly Screen[] = [
  overviewScreen,
  audioScreen,
  nowPlayingScreen,
  oscScreen,
  logsScreen,
];

/** Interval of the clock that refreshes ages, uptimes and positions, in ms. */
const CLOCK_INTERVAL_MS = 1000;

/** The last action result, or the action under way, for the status line. */
export interface StatusMessage {
  ok: boolean | undefined;
  text: string;
  atMs: number;
}

/**
 * The console's screen and keys over a started SystemModel.
 *
 * @example
 * const app = new ConsoleApp(model);
 * const exitCode = await app.run();
 */
export class ConsoleApp {
  readonly view: ViewState = {
    selectedWorker: undefined,
    logFilter: { worker: undefined, minLevel: 'info' },
    logScroll: 0,
  };
  /** Index of the visible screen in SCREENS. */
  current = 0;
  status: StatusMessage | undefined;
  /** Frames, listeners and callbacks that threw since start; each is shown in the status line. */
  errorCount = 0;
  lastError: string | undefined;
  helpVisible = false;
  readonly screen: blessed.Widgets.Screen;
  private readonly header: blessed.Widgets.BoxElement;
  private readonly body: blessed.Widgets.BoxElement;
  private readonly statusBar: blessed.Widgets.BoxElement;
  private readonly help: blessed.Widgets.BoxElement;
  private readonly picker: blessed.Widgets.ListElement;
  private pickerDevices: AudioDevice[] = [];
  private readonly loop: RenderLoop;
  private readonly onChange = (kind: ChangeKind) => this.changed(kind);
  private clock: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private finish: ((code: number) => void) | undefined;
  private drawing = false;

  constructor(readonly model: SystemModel) {
    this.screen = blessed.screen({ smartCSR: true, fullUnicode: true, title: 'vj console', warnings: false });
    this.header = blessed.box({ parent: this.screen, top: 0, left: 0, width: '100%', height: 1, tags: true });
    this.body = blessed.box({
      parent: this.screen,
      top: 1,
      left: 0,
      width: '100%',
      height: '100%-2',
      tags: true,
    });
    this.statusBar = blessed.box({
      parent: this.screen,
      bottom: 0,
      left: 0,
      width: '100%',
      height: 1,
      tags: true,
    });
    this.help = blessed.box({
      parent: this.screen,
      top: 'center',
      left: 'center',
      width: Math.max(...HELP_TEXT.split('\n').map((line) => line.length)) + 3,
      height: HELP_TEXT.split('\n').length + 2,
      border: { type: 'line' },
      label: ' keys ',
      tags: true,
      hidden: true,
      content: HELP_TEXT,
    });
    this.picker = blessed.list({
      parent: this.screen,
      top: 'center',
      left: 'center',
      width: '80%',
      height: '50%',
      border: { type: 'line' },
      label: ' audio input: Enter chooses, Esc cancels ',
      keys: true,
      vi: true,
      hidden: true,
      style: { selected: { inverse: true } },
    });
    this.picker.on('select', (_item, index) => this.guard(() => this.chooseDevice(index)));
    this.loop = new RenderLoop(
      () => this.draw(),
      1000 / framesPerSecondFor(Number(this.screen.width), Number(this.screen.height)),
      (error) => this.noteError(error),
    );
  }

  /** Shows the console and resolves with the exit code when the user quits. */
  run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.finish = resolve;
    });
    bindKeys(this);
    this.model.on('change', this.onChange);
    this.screen.on('resize', () => {
      this.loop.setMinInterval(
        1000 / framesPerSecondFor(Number(this.screen.width), Number(this.screen.height)),
      );
      this.loop.request();
    });
    this.clock = setInterval(() => this.loop.request(), CLOCK_INTERVAL_MS);
    this.loop.request();
    return done;
  }

  /** Restores the terminal and resolves run() with `code`; the workers keep running. */
  quit(code = 0): void {
    if (this.finish === undefined) return;
    const finish = this.finish;
    this.finish = undefined;
    this.loop.stop();
    clearInterval(this.clock);
    clearTimeout(this.beatTimer);
    this.model.off('change', this.onChange);
    this.screen.destroy();
    finish(code);
  }

  /** Redraws the visible screen at the next frame. */
  requestRender(): void {
    this.loop.request();
  }

  /** Frames drawn so far. */
  get frames(): number {
    return this.loop.frames;
  }

  /** Shows screen `index` (0-based). */
  show(index: number): void {
    if (index < 0 || index >= SCREENS.length) return;
    this.current = index;
    this.loop.request();
  }

  /** Moves the worker selection by `delta` rows. */
  moveSelection(delta: number): void {
    const names = this.model.workers().map((row) => row.name);
    if (names.length === 0) return;
    const index = names.indexOf(this.view.selectedWorker ?? '');
    const next = index === -1 ? 0 : Math.min(names.length - 1, Math.max(0, index + delta));
    this.view.selectedWorker = names[next];
    this.loop.request();
  }

  /** Name of the selected worker, choosing the first row when nothing valid is selected. */
  selectedWorker(): string | undefined {
    const names = this.model.workers().map((row) => row.name);
    if (this.view.selectedWorker === undefined || !names.includes(this.view.selectedWorker)) {
      this.view.selectedWorker = names[0];
    }
    return this.view.selectedWorker;
  }

  /** Runs an action: shows `pending` at once, then its result. */
  async act(pending: string, action: () => Promise<ActionResult>): Promise<void> {
    this.setStatus({ ok: undefined, text: pending, atMs: Date.now() });
    let result: ActionResult;
    try {
      result = await action();
    } catch (error) {
      result = { ok: false, text: error instanceof Error ? error.message : String(error) };
    }
    this.setStatus({ ok: result.ok, text: result.text, atMs: Date.now() });
  }

  /** Shows a message in the status line. */
  setStatus(status: StatusMessage): void {
    this.status = status;
    this.loop.request();
  }

  /** Shows or hides the key help. */
  toggleHelp(visible = !this.helpVisible): void {
    this.helpVisible = visible;
    if (visible) this.help.show();
    else this.help.hide();
    this.loop.request();
  }

  /** Tells whether the device picker is open; while it is, it takes the keys. */
  get pickerOpen(): boolean {
    return !this.picker.hidden;
  }

  /** Lists the audio devices and opens the picker on them. */
  async pickDevice(): Promise<void> {
    this.setStatus({ ok: undefined, text: 'listing audio input devices…', atMs: Date.now() });
    const listed = await this.model.listDevices();
    if (!listed.ok) {
      this.setStatus({ ok: false, text: listed.text, atMs: Date.now() });
      return;
    }
    if (listed.devices.length === 0) {
      this.setStatus({ ok: false, text: 'audio_analyzer lists no input devices', atMs: Date.now() });
      return;
    }
    this.pickerDevices = listed.devices;
    this.picker.setItems(listed.devices.map(describeDevice) as unknown as blessed.Widgets.BlessedElement[]);
    this.picker.select(
      Math.max(
        0,
        listed.devices.findIndex((device) => device.is_current),
      ),
    );
    this.picker.show();
    this.picker.focus();
    this.setStatus({ ok: undefined, text: `${listed.devices.length} audio input devices`, atMs: Date.now() });
  }

  /** Closes the device picker without a choice. */
  closePicker(): void {
    this.picker.hide();
    this.loop.request();
  }

  /** Cycles the Logs screen's worker filter through all workers seen. */
  cycleLogWorker(): void {
    const options = [undefined, ...this.model.telemetry.logs.workers()];
    const index = options.indexOf(this.view.logFilter.worker);
    this.view.logFilter.worker = options[(index + 1) % options.length];
    this.view.logScroll = 0;
    this.loop.request();
  }

  /** Cycles the Logs screen's minimum level. */
  cycleLogLevel(): void {
    const index = LogLevels.indexOf(this.view.logFilter.minLevel);
    this.view.logFilter.minLevel = LogLevels[(index + 1) % LogLevels.length] ?? 'info';
    this.view.logScroll = 0;
    this.loop.request();
  }

  /** Records an error caught anywhere in the console, to show it in the status line. */
  noteError(error: unknown): void {
    this.errorCount++;
    this.lastError = error instanceof Error ? error.message : String(error);
    // An error inside a frame shows in that frame's status line; another frame could fail the same way.
    if (!this.drawing) this.loop.request();
  }

  /** Runs `task`, catching and counting what it throws. */
  guard(task: () => unknown): void {
    try {
      const result = task();
      if (result instanceof Promise) result.catch((error: unknown) => this.noteError(error));
    } catch (error) {
      this.noteError(error);
    }
  }

  private chooseDevice(index: number): void {
    const device = this.pickerDevices[index];
    this.closePicker();
    if (device === undefined) return;
    void this.act(`switching audio input to ${device.name}…`, () => this.model.setDevice(device.name));
  }

  private changed(kind: ChangeKind): void {
    const screen = SCREENS[this.current];
    if (screen === undefined || !screen.kinds.has(kind)) return;
    this.loop.request();
    if (kind === 'beat') {
      // Without this frame the indicator would stay lit until the next features frame.
      clearTimeout(this.beatTimer);
      this.beatTimer = setTimeout(() => this.loop.request(), BEAT_FLASH_MS + 5);
    }
  }

  private draw(): void {
    const width = Number(this.screen.width);
    const height = Number(this.screen.height);
    const nowMs = Date.now();
    const screen = SCREENS[this.current] ?? overviewScreen;
    if (this.current === 0) this.selectedWorker();

    this.drawing = true;
    try {
      this.header.setContent(headerText(SCREENS, this.current, width));
      try {
        this.body.setContent(
          screen.render({ model: this.model, view: this.view, width, height: height - 2, nowMs }),
        );
      } catch (error) {
        // The previous frame of the body stays; the status line shows the count and the message.
        this.noteError(error);
      }
      this.statusBar.setContent(statusText(this, width, nowMs));
      this.screen.render();
    } finally {
      this.drawing = false;
    }
  }
}

function describeDevice(device: AudioDevice): string {
  const marks = [device.is_current ? 'current' : '', device.is_default ? 'default' : '']
    .filter(Boolean)
    .join(', ');
  return `${device.is_current ? '●' : ' '} ${device.name} (${device.host_api}, ${device.max_input_channels} ch)${marks === '' ? '' : ` ${marks}`}`;
}
