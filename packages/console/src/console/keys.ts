/**
 * Key bindings of the console. blessed delivers every key to the screen's
 * handlers whatever has focus, so while the device picker is open only Esc and
 * C-c act here and the picker takes the rest.
 */
import type { BeatCommand } from '../model/actions';
import type { ConsoleApp } from './app';
import { clampScroll } from './screens/logs';

const OVERVIEW = 0;
const LOGS = 4;

/** Binds the console's keys on `app.screen`. */
export function bindKeys(app: ConsoleApp): void {
  const screen = app.screen;
  const when = (handler: () => unknown) => () => {
    if (app.pickerOpen) return;
    app.guard(handler);
  };

  screen.key(['C-c'], () => app.quit(0));
  screen.key(
    ['q'],
    when(() => app.quit(0)),
  );
  screen.key(['escape'], () => {
    if (app.pickerOpen) app.closePicker();
    else app.toggleHelp(false);
  });
  screen.key(
    ['?'],
    when(() => app.toggleHelp()),
  );
  for (let index = 0; index < 5; index++) {
    screen.key(
      [String(index + 1)],
      when(() => app.show(index)),
    );
  }

  screen.key(
    ['up', 'k'],
    when(() => moveOrScroll(app, -1)),
  );
  screen.key(
    ['down', 'j'],
    when(() => moveOrScroll(app, 1)),
  );
  screen.key(
    ['pageup'],
    when(() => scrollLogs(app, pageOf(app))),
  );
  screen.key(
    ['pagedown'],
    when(() => scrollLogs(app, -pageOf(app))),
  );
  screen.key(
    ['end', 'S-g'],
    when(() => scrollLogs(app, Number.NEGATIVE_INFINITY)),
  );
  screen.key(
    ['home', 'g'],
    when(() => scrollLogs(app, Number.POSITIVE_INFINITY)),
  );
  screen.key(
    ['w'],
    when(() => app.current === LOGS && app.cycleLogWorker()),
  );
  screen.key(
    ['l'],
    when(() => app.current === LOGS && app.cycleLogLevel()),
  );

  screen.key(
    ['r'],
    when(() => actOnSelected(app, 'restart')),
  );
  screen.key(
    ['s'],
    when(() => actOnSelected(app, 'toggle')),
  );
  screen.key(
    ['d'],
    when(() => app.pickDevice()),
  );
  bindBeatKeys(app, when);
}

/** Milliseconds that one press of `[` or `]` shifts the beat. */
const NUDGE_STEP_MS = 10;

/** Binds the performer's beat-tracking overrides, which act on the audio analyser from any screen. */
function bindBeatKeys(app: ConsoleApp, when: (handler: () => unknown) => () => void): void {
  const screen = app.screen;
  const send = (pending: string, override: BeatCommand, nudgeMs = 0) =>
    when(() => app.act(pending, () => app.model.overrideBeat(override, nudgeMs)));
  screen.key(['space', 't'], send('tap…', 'tap'));
  screen.key(['*'], send('doubling the tempo…', 'double'));
  screen.key(['/'], send('halving the tempo…', 'halve'));
  screen.key(['['], send(`nudging the beat ${NUDGE_STEP_MS} ms earlier…`, 'nudge', -NUDGE_STEP_MS));
  screen.key([']'], send(`nudging the beat ${NUDGE_STEP_MS} ms later…`, 'nudge', NUDGE_STEP_MS));
  screen.key(['b'], send('marking beat 1…', 'resync'));
  screen.key(['a'], send('returning beat tracking to automatic…', 'release'));
}

function moveOrScroll(app: ConsoleApp, delta: number): void {
  if (app.current === LOGS) scrollLogs(app, -delta);
  else if (app.current === OVERVIEW) app.moveSelection(delta);
}

/** Scrolls the logs `lines` up (negative: down); infinities jump to the top or back to following. */
function scrollLogs(app: ConsoleApp, lines: number): void {
  if (app.current !== LOGS) return;
  const total = app.model.telemetry.logs.filtered(app.view.logFilter).length;
  const room = pageOf(app);
  const target = lines === Number.POSITIVE_INFINITY ? total : app.view.logScroll + lines;
  app.view.logScroll = lines === Number.NEGATIVE_INFINITY ? 0 : clampScroll(target, total, room);
  app.requestRender();
}

/** Rows of log lines on the Logs screen: the body minus its two header lines. */
function pageOf(app: ConsoleApp): number {
  return Math.max(1, Number(app.screen.height) - 4);
}

function actOnSelected(app: ConsoleApp, action: 'restart' | 'toggle'): Promise<void> {
  const name = app.selectedWorker();
  if (name === undefined) {
    app.setStatus({ ok: false, text: 'no worker to act on: none is running or known yet', atMs: Date.now() });
    return Promise.resolve();
  }
  if (action === 'restart') {
    return app.act(`restarting ${name}…`, () => app.model.restart(name));
  }
  return app.act(`stopping or starting ${name}…`, () => app.model.toggle(name));
}
