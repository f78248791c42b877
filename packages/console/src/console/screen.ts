/**
 * The contract between the console app and its screens. A screen is a pure
 * function from the model and the view state to the tagged text of the body,
 * sized to the terminal, so only the visible screen costs anything.
 */
import type { LogFilter } from '../model/log-buffer';
import type { SystemModel } from '../model/system-model';
import type { ChangeKind } from '../model/telemetry';

/** State of the console that is not in the model: selection, scroll and filters. */
export interface ViewState {
  /** Name of the selected worker, kept by name so that it survives reordering. */
  selectedWorker: string | undefined;
  logFilter: LogFilter;
  /** Lines scrolled up from the newest log line; 0 follows new lines. */
  logScroll: number;
}

/** Input of a screen's render: the model, the view state, the body size and the time. */
export interface RenderContext {
  model: SystemModel;
  view: ViewState;
  /** Size of the body in columns and rows. */
  width: number;
  height: number;
  /** Unix ms of this frame. */
  nowMs: number;
}

/** One numbered screen of the console. */
export interface Screen {
  /** Tab label. */
  title: string;
  /** Model changes that make this screen redraw while it is visible. */
  kinds: ReadonlySet<ChangeKind>;
  /** Returns the body as blessed-tagged text, at most `height` lines of at most `width` columns. */
  render(context: RenderContext): string;
}
