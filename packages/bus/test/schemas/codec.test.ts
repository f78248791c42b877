import {
  checkPayload,
  decodeCommand,
  decodePublished,
  decodeResponse,
  encodeMessage,
  formatIssues,
  type SchemaIssue,
} from '../../src/schemas/codec';
import type { Command } from '../../src/schemas/envelope';

const AUDIO_FRAME = {
  bands: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
  rms: 0.5,
  spectrum: new Array(32).fill(0.25),
  is_onset: true,
  flux: 0.3,
  bpm: 0,
  bpm_confidence: 0,
  pitch_hz: 0,
  pitch_confidence: 0,
  centroid_hz: 0,
  frame: 0,
};

function telemetry(topic: string, payload: unknown): string {
  return JSON.stringify({
    type: 'telemetry',
    id: 'id-1',
    timestamp: 1733234567.89,
    source: 'audio_analyzer',
    topic,
    payload,
  });
}

describe('decodeCommand', () => {
  const command: Command = {
    type: 'command',
    id: 'c1',
    timestamp: 1733234567.89,
    source: null,
    command: 'get_state',
    payload: {},
  };

  test('valid command round-trips through encodeMessage', () => {
    const decoded = decodeCommand(Buffer.from(encodeMessage(command)));
    expect(decoded).toEqual({ ok: true, value: command });
  });

  test('invalid JSON is VJ_BUS_INVALID_JSON with a preview of the frame', () => {
    const decoded = decodeCommand('{"type": "command",');
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe('VJ_BUS_INVALID_JSON');
    expect(decoded.error.message).toContain('{\\"type\\": \\"command\\",');
  });

  test('missing command name is VJ_BUS_INVALID_MESSAGE naming /command', () => {
    const { command: _omitted, ...rest } = command;
    const decoded = decodeCommand(JSON.stringify(rest));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe('VJ_BUS_INVALID_MESSAGE');
    const issues = decoded.error.fields.issues as SchemaIssue[];
    expect(issues.map((issue) => issue.path)).toContain('/command');
    expect(decoded.error.fields.id).toBe('c1');
  });

  test('a response is not accepted as a command', () => {
    const decoded = decodeCommand(JSON.stringify({ ...command, type: 'response' }));
    expect(decoded.ok).toBe(false);
  });

  test('non-object payload is rejected', () => {
    expect(decodeCommand(JSON.stringify({ ...command, payload: [1, 2] })).ok).toBe(false);
    expect(decodeCommand(JSON.stringify({ ...command, payload: null })).ok).toBe(false);
  });

  test('JSON null and numbers are rejected without throwing', () => {
    expect(decodeCommand('null').ok).toBe(false);
    expect(decodeCommand('42').ok).toBe(false);
    expect(decodeCommand(Buffer.from([0xff, 0xfe, 0x00])).ok).toBe(false);
  });
});

describe('decodeResponse', () => {
  test('error response with null result is valid', () => {
    const frame = JSON.stringify({
      type: 'response',
      id: 'r',
      timestamp: 1,
      source: 'w',
      status: 'error',
      result: null,
      error: 'boom',
    });
    expect(decodeResponse(frame).ok).toBe(true);
  });

  test('unknown status is rejected', () => {
    const frame = JSON.stringify({
      type: 'response',
      id: 'r',
      timestamp: 1,
      source: 'w',
      status: 'maybe',
      result: null,
      error: null,
    });
    expect(decodeResponse(frame).ok).toBe(false);
  });
});

describe('decodePublished', () => {
  test('audio frame with 7 bands and 32 bins is valid', () => {
    const decoded = decodePublished('audio.features', telemetry('audio.features', AUDIO_FRAME));
    expect(decoded.ok).toBe(true);
  });

  test.each([6, 8])('audio frame with %i bands is rejected at /payload/bands', (count) => {
    const decoded = decodePublished(
      'audio.features',
      telemetry('audio.features', { ...AUDIO_FRAME, bands: new Array(count).fill(0.5) }),
    );
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.message).toContain('/payload/bands');
  });

  test('band level above 1 is rejected', () => {
    const bands = [0, 0, 0, 0, 0, 0, 1.5];
    expect(decodePublished('audio.features', telemetry('audio.features', { ...AUDIO_FRAME, bands })).ok).toBe(
      false,
    );
  });

  test('extra payload fields from a newer sender are accepted', () => {
    expect(
      decodePublished('audio.features', telemetry('audio.features', { ...AUDIO_FRAME, beat_phase: 0.5 })).ok,
    ).toBe(true);
  });

  test('topic frame and envelope topic must agree', () => {
    const decoded = decodePublished('audio.beat', telemetry('audio.features', AUDIO_FRAME));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.message).toContain('/topic');
  });

  test('log record on logs.warn is checked against the LogRecord schema', () => {
    const record = { time: 1, mono_ms: 2, seq: 3, worker: 'w', level: 'warn', msg: 'm', pid: 4, fields: {} };
    expect(decodePublished('logs.warn', telemetry('logs.warn', record)).ok).toBe(true);
    expect(decodePublished('logs.warn', telemetry('logs.warn', { ...record, level: 'loud' })).ok).toBe(false);
  });

  test('topic without a payload schema passes any payload', () => {
    expect(decodePublished('custom.metrics', telemetry('custom.metrics', [1, 'two'])).ok).toBe(true);
  });

  test('osc.stats payload is checked against its schema', () => {
    const decoded = decodePublished('osc.stats', telemetry('osc.stats', [1, 'two']));
    expect(decoded.ok).toBe(false);
  });

  test('event and heartbeat messages are recognised by type', () => {
    const event = {
      type: 'event',
      id: 'e',
      timestamp: 1,
      source: 'process_manager',
      event: 'worker_crashed',
      worker: 'audio_analyzer',
      payload: { exit_code: 1 },
    };
    const heartbeat = {
      type: 'heartbeat',
      id: 'h',
      timestamp: 1,
      source: 'audio_analyzer',
      pid: 10,
      status: 'running',
      uptime_s: 3.5,
    };
    expect(decodePublished('events.worker_crashed', JSON.stringify(event))).toMatchObject({
      ok: true,
      value: event,
    });
    expect(decodePublished('heartbeat', JSON.stringify(heartbeat))).toMatchObject({
      ok: true,
      value: heartbeat,
    });
    expect(decodePublished('events.x', JSON.stringify({ ...event, event: 'worker_exploded' })).ok).toBe(
      false,
    );
  });
});

describe('checkPayload', () => {
  test('returns the issues of an invalid audio frame as data', () => {
    const checked = checkPayload('audio.features', { ...AUDIO_FRAME, rms: 'loud' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    const issues = checked.error.fields.issues as SchemaIssue[];
    expect(issues[0]).toMatchObject({ path: '/rms', received: 'loud' });
  });
});

describe('formatIssues', () => {
  test('cuts long received values', () => {
    const text = formatIssues([{ path: '/x', message: 'expected number', received: 'a'.repeat(500) }]);
    expect(text.length).toBeLessThan(120);
    expect(text).toContain('…');
  });
});
