/**
 * Encoding and decoding of bus frames. Decoders never throw: they return the
 * typed message or a VjError whose fields keep the schema issues as data
 * (path, message, received value), rendered only when shown.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { VjError } from '../errors';
import {
  type Command,
  CommandValidator,
  type Event,
  EventValidator,
  type Heartbeat,
  HeartbeatValidator,
  type Response,
  ResponseValidator,
  type Telemetry,
  TelemetryValidator,
} from './envelope';
import { LogAlertValidator, LogsAggregatedValidator } from './log-payloads';
import { NowPlayingValidator } from './now-playing-payloads';
import { OscMessagesValidator, OscStatsValidator } from './osc-payloads';
import {
  AudioBeatValidator,
  AudioFeaturesValidator,
  AudioStatsValidator,
  ExampleTickValidator,
  LogRecordValidator,
} from './payloads';
import { LogLevels, Topics } from './topics';

/** Result of a decoder: the typed value, or the reason it was rejected. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: VjError };

/** One schema violation, kept as data. */
export interface SchemaIssue {
  /** JSON pointer of the offending value, `/` for the root. */
  path: string;
  /** Expectation of the schema at that path. */
  message: string;
  /** The value found, cut to a short preview when it is long. */
  received: unknown;
}

/** Any message that travels on a telemetry socket. */
export type PublishedMessage = Telemetry | Event | Heartbeat;

const MAX_ISSUES = 5;
const PREVIEW_LENGTH = 80;

/** Payload validators by exact topic; `logs.<level>` is matched separately. */
const payloadValidators = new Map<string, TypeCheck<TSchema>>([
  [Topics.audioFeatures, AudioFeaturesValidator],
  [Topics.audioBeat, AudioBeatValidator],
  [Topics.audioStats, AudioStatsValidator],
  [Topics.exampleTick, ExampleTickValidator],
  [Topics.oscMessages, OscMessagesValidator],
  [Topics.oscStats, OscStatsValidator],
  [Topics.spotifyState, NowPlayingValidator],
  [Topics.logsAggregated, LogsAggregatedValidator],
  [Topics.logsAlert, LogAlertValidator],
]);
const logLevelTopics = new Set<string>(LogLevels.map((level) => `logs.${level}`));

/**
 * Parses a command frame and checks it against the Command schema.
 *
 * @example
 * const decoded = decodeCommand(frame);
 * if (!decoded.ok) reply(errorResponse(decoded.error));
 */
export function decodeCommand(frame: Buffer | string): Decoded<Command> {
  return decodeWith(frame, CommandValidator, 'command');
}

/** Parses a response frame and checks it against the Response schema. */
export function decodeResponse(frame: Buffer | string): Decoded<Response> {
  return decodeWith(frame, ResponseValidator, 'response');
}

/**
 * Parses the JSON frame of a telemetry socket (telemetry, event or heartbeat),
 * checks the envelope, checks that it matches the topic frame, and checks the
 * payload when the topic has a known payload schema.
 */
export function decodePublished(topic: string, frame: Buffer | string): Decoded<PublishedMessage> {
  const parsed = parseJson(frame, 'telemetry');
  if (!parsed.ok) return parsed;

  const value = parsed.value as { type?: unknown; topic?: unknown; payload?: unknown } | null;
  const kind = typeof value === 'object' && value !== null ? value.type : undefined;
  if (kind === 'event') return checkWith(value, EventValidator, 'event');
  if (kind === 'heartbeat') return checkWith(value, HeartbeatValidator, 'heartbeat');

  const envelope = checkWith(value, TelemetryValidator, 'telemetry');
  if (!envelope.ok) return envelope;
  if (envelope.value.topic !== topic) {
    return invalid('telemetry', [
      {
        path: '/topic',
        message: `expected "${topic}" as in the topic frame`,
        received: envelope.value.topic,
      },
    ]);
  }

  const payloadValidator = payloadValidatorFor(topic);
  if (payloadValidator !== undefined && !payloadValidator.Check(envelope.value.payload)) {
    return invalid(`${topic} payload`, collectIssues(payloadValidator, envelope.value.payload, '/payload'));
  }
  return envelope;
}

/**
 * Checks a payload against the schema of its topic, for publishers that want
 * to verify before sending. Topics without a schema always pass.
 */
export function checkPayload(topic: string, payload: unknown): Decoded<unknown> {
  const validator = payloadValidatorFor(topic);
  if (validator === undefined || validator.Check(payload)) return { ok: true, value: payload };
  return invalid(`${topic} payload`, collectIssues(validator, payload, ''));
}

/** Serialises a message to its JSON frame. */
export function encodeMessage(message: Command | Response | PublishedMessage): string {
  return JSON.stringify(message);
}

/** Renders schema issues as one line: `/payload/bands expected array, received "x"`. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((issue) => `${issue.path} ${issue.message}, received ${preview(issue.received)}`)
    .join('; ');
}

function payloadValidatorFor(topic: string): TypeCheck<TSchema> | undefined {
  const exact = payloadValidators.get(topic);
  if (exact !== undefined) return exact;
  return logLevelTopics.has(topic) ? LogRecordValidator : undefined;
}

function decodeWith<T extends TSchema>(
  frame: Buffer | string,
  validator: TypeCheck<T>,
  kind: string,
): Decoded<Static<T>> {
  const parsed = parseJson(frame, kind);
  if (!parsed.ok) return parsed;
  return checkWith(parsed.value, validator, kind);
}

function parseJson(frame: Buffer | string, kind: string): Decoded<unknown> {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (cause) {
    return {
      ok: false,
      error: new VjError(
        'VJ_BUS_INVALID_JSON',
        `A ${kind} frame is not valid JSON (${(cause as Error).message}), received ${preview(text)}; send one UTF-8 JSON object per frame`,
        { cause, kind, shortMessage: `invalid JSON in ${kind} frame` },
      ),
    };
  }
}

function checkWith<T extends TSchema>(
  value: unknown,
  validator: TypeCheck<T>,
  kind: string,
): Decoded<Static<T>> {
  if (validator.Check(value)) return { ok: true, value };
  const decoded = invalid(kind, collectIssues(validator, value, ''));
  const id = (value as { id?: unknown } | null)?.id;
  if (typeof id === 'string') (decoded.error.fields as Record<string, unknown>).id = id;
  return decoded;
}

function collectIssues(validator: TypeCheck<TSchema>, value: unknown, prefix: string): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const error of validator.Errors(value)) {
    issues.push({
      path: prefix + error.path || '/',
      message: error.message.toLowerCase(),
      received: error.value,
    });
    if (issues.length === MAX_ISSUES) break;
  }
  return issues;
}

function invalid(kind: string, issues: SchemaIssue[]): { ok: false; error: VjError } {
  return {
    ok: false,
    error: new VjError(
      'VJ_BUS_INVALID_MESSAGE',
      `A ${kind} message does not match its schema: ${formatIssues(issues)}; see docs/protocol.md for the fields`,
      { kind, issues, shortMessage: `invalid ${kind} message` },
    ),
  };
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}
