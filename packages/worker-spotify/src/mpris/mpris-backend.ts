/**
 * MprisBackend: follows MPRIS players on the D-Bus session bus. It reads each
 * player once, then follows its `PropertiesChanged` and `Seeked` signals and
 * the bus's `NameOwnerChanged`, without polling.
 */
import { isVjError, type Worker } from '@vj/bus';
import type { ClientInterface } from 'dbus-next';
import {
  type Backend,
  type PlayerListing,
  type PlayerReport,
  type ReportListener,
  type TrackMetadata,
  unavailableReport,
} from '../player-report';
import {
  hasAnyField,
  MPRIS_PATH,
  MPRIS_PREFIX,
  PLAYER_INTERFACE,
  toMicroseconds,
  toPlaybackStatus,
  toTrackMetadata,
  unwrapVariant,
} from './metadata';
import { selectPlayer } from './select-player';
import { connectSessionBus, SESSION_BUS_HINT, type SessionBusConnection, withTimeout } from './session-bus';

/** Delays between reconnects to a session bus that went away or refused, in ms; the last one repeats. */
export const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000] as const;
/** Time that one D-Bus call may take, in ms. */
export const CALL_TIMEOUT_MS = 3000;

const PROPERTIES_INTERFACE = 'org.freedesktop.DBus.Properties';
const WATCHED_PROPERTIES = new Set(['PlaybackStatus', 'Metadata', 'Rate', 'Position']);

/** Options of an MprisBackend. */
export interface MprisBackendOptions {
  /** Session bus address; undefined reports `no_session_bus`. */
  busAddress: string | undefined;
  /** Returns the preferred player name (config `mpris_player`), read at every choice. */
  preferredPlayer: () => string;
  onReport: ReportListener;
  log: Worker['log'];
  /** Delays between reconnects, in ms; the last one repeats. Default RECONNECT_DELAYS_MS. */
  reconnectDelaysMs?: readonly number[];
}

// Typed views of the dbus-next proxies that this backend calls.
interface PropertiesProxy extends ClientInterface {
  Get(iface: string, property: string): Promise<unknown>;
  GetAll(iface: string): Promise<Record<string, unknown>>;
}
interface BusProxy extends ClientInterface {
  ListNames(): Promise<string[]>;
}

interface PlayerWatch {
  busName: string;
  name: string;
  status: PlayerReport['status'];
  metadata: TrackMetadata;
  positionS: number | null;
  positionAtMs: number;
  rate: number;
  properties: PropertiesProxy;
  detach: () => void;
}

/**
 * The Linux backend. It follows `org.mpris.MediaPlayer2.<mpris_player>` when
 * present, else a player that plays, else the first one (see selectPlayer).
 *
 * @example
 * const backend = new MprisBackend({ busAddress: process.env.DBUS_SESSION_BUS_ADDRESS, preferredPlayer: () => 'spotify', onReport, log });
 * await backend.start();
 */
export class MprisBackend implements Backend {
  readonly kind = 'mpris' as const;
  private readonly options: MprisBackendOptions;
  private readonly log: Worker['log'];
  private connection: SessionBusConnection | undefined;
  private readonly watches = new Map<string, PlayerWatch>();
  private readonly adding = new Set<string>();
  private selected: string | undefined;
  private running = false;
  // Increments on every connect and teardown, so that work begun on an older connection stops.
  private generation = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnects = 0;

  constructor(options: MprisBackendOptions) {
    this.options = options;
    this.log = options.log;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.teardown();
  }

  players(): PlayerListing[] {
    return [...this.watches.values()].map((watch) => ({
      name: watch.name,
      status: watch.status,
      selected: watch.busName === this.selected,
    }));
  }

  /** Chooses the player again, after the preferred player changed. */
  reselect(): void {
    this.updateSelection();
    this.reportSelected();
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let connection: SessionBusConnection;
    try {
      connection = await connectSessionBus(this.options.busAddress);
    } catch (error) {
      if (!isVjError(error)) throw error;
      if (!this.isCurrent(generation)) return;
      this.options.onReport(unavailableReport('no_session_bus', error.message, error.code));
      // Without an address there is nothing to retry until the worker restarts with one.
      if (this.options.busAddress !== undefined) this.scheduleReconnect();
      return;
    }
    if (!this.isCurrent(generation)) {
      connection.close();
      return;
    }

    this.connection = connection;
    connection.onClose((error) => this.onBusClosed(generation, error));
    connection.onError((error) => this.log.warn({ err: error }, 'dbus error ignored'));
    try {
      await this.readPlayers(generation, connection);
    } catch (error) {
      if (!this.isCurrent(generation)) return;
      this.log.warn({ err: error, address: this.options.busAddress }, 'session bus calls failed');
      this.onBusClosed(generation, error instanceof Error ? error : undefined);
      return;
    }
    if (!this.isCurrent(generation)) return;

    this.reconnects = 0;
    this.log.info({ address: this.options.busAddress, players: this.players() }, 'session bus connected');
    this.updateSelection();
    this.reportSelected();
  }

  private async readPlayers(generation: number, connection: SessionBusConnection): Promise<void> {
    const busObject = await withTimeout(
      connection.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'),
      CALL_TIMEOUT_MS,
      'Introspect org.freedesktop.DBus',
    );
    const busInterface = busObject.getInterface<BusProxy>('org.freedesktop.DBus');
    // Subscribe before listing, so that a player starting in between is not missed.
    busInterface.on('NameOwnerChanged', (name: string, oldOwner: string, newOwner: string) =>
      this.onNameOwnerChanged(generation, name, oldOwner, newOwner),
    );
    const names = await withTimeout(busInterface.ListNames(), CALL_TIMEOUT_MS, 'ListNames');
    const players = names.filter((name) => name.startsWith(MPRIS_PREFIX));
    await Promise.all(players.map((name) => this.addPlayer(generation, name)));
  }

  private onNameOwnerChanged(generation: number, busName: string, oldOwner: string, newOwner: string): void {
    if (!this.isCurrent(generation) || !busName.startsWith(MPRIS_PREFIX)) return;

    if (oldOwner !== '') this.removePlayer(busName);
    if (newOwner === '') {
      this.updateSelection();
      this.reportSelected();
      return;
    }
    void this.addPlayer(generation, busName).then(() => {
      if (this.isCurrent(generation)) this.onPlayerChanged(busName);
    });
  }

  private async addPlayer(generation: number, busName: string): Promise<void> {
    if (this.watches.has(busName) || this.adding.has(busName) || this.connection === undefined) return;

    const bus = this.connection.bus;
    const name = busName.slice(MPRIS_PREFIX.length);
    this.adding.add(busName);
    try {
      const object = await withTimeout(
        bus.getProxyObject(busName, MPRIS_PATH),
        CALL_TIMEOUT_MS,
        `Introspect ${busName}`,
      );
      if (!this.isCurrent(generation)) return;

      const properties = object.getInterface<PropertiesProxy>(PROPERTIES_INTERFACE);
      const player = object.getInterface(PLAYER_INTERFACE);
      const watch: PlayerWatch = {
        busName,
        name,
        status: 'stopped',
        metadata: {},
        positionS: null,
        positionAtMs: performance.now(),
        rate: 1,
        properties,
        detach: () => {},
      };
      const onChanged = (iface: string, changed: Record<string, unknown>, invalidated: string[]): void =>
        void this.onPropertiesChanged(watch, iface, changed, invalidated);
      const onSeeked = (positionUs: unknown): void => this.onSeeked(watch, positionUs);
      properties.on('PropertiesChanged', onChanged);
      player.on('Seeked', onSeeked);
      watch.detach = () => {
        properties.removeListener('PropertiesChanged', onChanged);
        player.removeListener('Seeked', onSeeked);
      };
      this.watches.set(busName, watch);

      await this.readAll(watch);
      this.log.info({ player: name, status: watch.status }, 'player appeared');
    } catch (error) {
      if (!this.isCurrent(generation)) return;
      // The player may have quit between ListNames and these calls; NameOwnerChanged reports that too.
      this.removePlayer(busName);
      this.log.warn({ player: name, err: error }, 'player could not be read');
    } finally {
      this.adding.delete(busName);
    }
  }

  private removePlayer(busName: string): void {
    const watch = this.watches.get(busName);
    if (watch === undefined) return;

    this.watches.delete(busName);
    watch.detach();
    this.log.info({ player: watch.name }, 'player disappeared');
  }

  private async readAll(watch: PlayerWatch): Promise<void> {
    const all = await withTimeout(
      watch.properties.GetAll(PLAYER_INTERFACE),
      CALL_TIMEOUT_MS,
      `GetAll ${watch.busName}`,
    );
    watch.status = toPlaybackStatus(all.PlaybackStatus);
    watch.metadata = toTrackMetadata(all.Metadata);
    watch.rate = toRate(all.Rate);
    setPosition(watch, toMicroseconds(all.Position));
  }

  private async onPropertiesChanged(
    watch: PlayerWatch,
    iface: string,
    changed: Record<string, unknown>,
    invalidated: string[],
  ): Promise<void> {
    if (iface !== PLAYER_INTERFACE || this.watches.get(watch.busName) !== watch) return;

    if ('PlaybackStatus' in changed) watch.status = toPlaybackStatus(changed.PlaybackStatus);
    if ('Metadata' in changed) watch.metadata = toTrackMetadata(changed.Metadata);
    if ('Rate' in changed) watch.rate = toRate(changed.Rate);
    try {
      if (invalidated.some((property) => WATCHED_PROPERTIES.has(property))) {
        await this.readAll(watch);
      } else if ('PlaybackStatus' in changed || 'Metadata' in changed || 'Rate' in changed) {
        // PropertiesChanged never carries Position (MPRIS 2.2), and it moves with these three.
        await this.readPosition(watch);
      }
    } catch (error) {
      this.log.warn({ player: watch.name, err: error }, 'player position could not be read');
    }
    if (this.watches.get(watch.busName) === watch) this.onPlayerChanged(watch.busName);
  }

  private onSeeked(watch: PlayerWatch, positionUs: unknown): void {
    if (this.watches.get(watch.busName) !== watch) return;

    setPosition(watch, toMicroseconds(positionUs));
    this.onPlayerChanged(watch.busName);
  }

  private async readPosition(watch: PlayerWatch): Promise<void> {
    const position = await withTimeout(
      watch.properties.Get(PLAYER_INTERFACE, 'Position'),
      CALL_TIMEOUT_MS,
      `Get Position ${watch.busName}`,
    );
    setPosition(watch, toMicroseconds(position));
  }

  private onPlayerChanged(busName: string): void {
    const before = this.selected;
    this.updateSelection();
    if (this.selected === busName || this.selected !== before) this.reportSelected();
  }

  private updateSelection(): void {
    const candidates = [...this.watches.values()].map((watch) => ({
      name: watch.name,
      status: watch.status,
    }));
    const current = this.selected?.slice(MPRIS_PREFIX.length);
    const chosen = selectPlayer(candidates, this.options.preferredPlayer(), current);
    const next = chosen === undefined ? undefined : MPRIS_PREFIX + chosen;
    if (next === this.selected) return;

    this.log.info({ player: chosen ?? null, previous: current ?? null }, 'player selected');
    this.selected = next;
  }

  private reportSelected(): void {
    const watch = this.selected === undefined ? undefined : this.watches.get(this.selected);
    if (watch === undefined) {
      this.options.onReport(
        unavailableReport(
          'no_player',
          'No MPRIS player is on the session bus; start Spotify, or mpv with mpv-mpris, VLC or another MPRIS player',
        ),
      );
      return;
    }

    const hasTrack = hasAnyField(watch.metadata);
    this.options.onReport({
      availability: hasTrack ? 'ok' : 'no_track',
      hint: hasTrack ? null : `${watch.name} reports no track; its metadata appears when a track starts`,
      player: watch.name,
      status: watch.status,
      metadata: { ...watch.metadata },
      positionS: watch.positionS,
      observedAtMs: watch.positionAtMs,
      rate: watch.rate,
    });
  }

  private onBusClosed(generation: number, error: Error | undefined): void {
    if (!this.isCurrent(generation)) return;

    this.teardown();
    const detail = error === undefined ? '' : ` (${error.message})`;
    this.options.onReport(
      unavailableReport(
        'no_session_bus',
        `The D-Bus session bus at ${this.options.busAddress} closed${detail}; ${SESSION_BUS_HINT}`,
        'VJ_SPOTIFY_NO_SESSION_BUS',
      ),
    );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;

    const delays = this.options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
    const delayMs = delays[Math.min(this.reconnects, delays.length - 1)] ?? 1000;
    this.reconnects++;
    // One line per attempt: the delays grow to 30 s, so a missing bus never logs every second.
    this.log.warn(
      { attempt: this.reconnects, delayMs, address: this.options.busAddress },
      'session bus reconnect scheduled',
    );
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delayMs);
  }

  private teardown(): void {
    this.generation++;
    this.watches.clear();
    this.adding.clear();
    this.selected = undefined;
    this.connection?.close();
    this.connection = undefined;
  }

  private isCurrent(generation: number): boolean {
    return this.running && generation === this.generation;
  }
}

function setPosition(watch: PlayerWatch, positionUs: number | undefined): void {
  watch.positionS = positionUs === undefined ? null : Math.max(0, positionUs / 1e6);
  watch.positionAtMs = performance.now();
}

function toRate(value: unknown): number {
  const rate = unwrapVariant(value);
  return typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? rate : 1;
}
