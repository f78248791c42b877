import { Publisher } from 'zeromq';
import type { VjError } from '../../src/errors';
import type { PublishedMessage } from '../../src/schemas/codec';
import { TelemetryPublisher } from '../../src/transport/publisher';
import { TelemetrySubscriber } from '../../src/transport/subscriber';
import { AUDIO_FRAME } from '../fixtures/spawn';
import { delay, endpointFor, PROTOCOLS, until } from './helpers';

/** Publishes `publish()` every 20 ms until `done()` is true; a fresh SUB misses the first messages (ZMQ slow joiner). */
async function publishUntil(publish: () => void, done: () => boolean, message: string): Promise<void> {
  const timer = setInterval(publish, 20);
  try {
    await until(done, message);
  } finally {
    clearInterval(timer);
  }
}

describe.each(PROTOCOLS)('telemetry over %s', (protocol) => {
  let publisher: TelemetryPublisher;
  let subscriber: TelemetrySubscriber;
  const received: Array<[string, PublishedMessage]> = [];
  const invalid: VjError[] = [];

  beforeEach(async () => {
    received.length = 0;
    invalid.length = 0;
    publisher = await TelemetryPublisher.open({ endpoint: endpointFor(protocol), source: 'audio_analyzer' });
    subscriber = new TelemetrySubscriber();
    subscriber.on('message', (topic, message) => received.push([topic, message]));
    subscriber.on('invalid', (error) => invalid.push(error));
    subscriber.connect(publisher.endpoint);
  });

  afterEach(() => {
    subscriber.close();
    publisher.close();
  });

  test('subscriber receives a validated audio frame with its envelope', async () => {
    subscriber.subscribe('audio.');
    await publishUntil(
      () => publisher.publish('audio.features', AUDIO_FRAME),
      () => received.length > 0,
      'an audio frame arrives',
    );

    const [topic, message] = received[0] ?? [];
    expect(topic).toBe('audio.features');
    expect(message).toMatchObject({
      type: 'telemetry',
      source: 'audio_analyzer',
      topic: 'audio.features',
      payload: AUDIO_FRAME,
    });
    expect(invalid).toHaveLength(0);
  });

  test('prefix filter delivers only the subscribed family', async () => {
    subscriber.subscribe('logs.');
    await publishUntil(
      () => {
        publisher.publish('example.tick', { count: 1, rate_hz: 10 });
        publisher.publish('logs.info', {
          time: 1,
          mono_ms: 1,
          seq: 1,
          worker: 'w',
          level: 'info',
          msg: 'hello',
          pid: 1,
          fields: {},
        });
      },
      () => received.length >= 3,
      'three log records arrive',
    );
    expect(new Set(received.map(([topic]) => topic))).toEqual(new Set(['logs.info']));
  });
});

describe('telemetry validation', () => {
  let raw: Publisher;
  let subscriber: TelemetrySubscriber;
  const received: string[] = [];
  const invalid: VjError[] = [];

  beforeEach(async () => {
    received.length = 0;
    invalid.length = 0;
    raw = new Publisher({ linger: 0 });
    await raw.bind('tcp://127.0.0.1:*');
    subscriber = new TelemetrySubscriber();
    subscriber.on('message', (topic) => received.push(topic));
    subscriber.on('invalid', (error) => invalid.push(error));
    subscriber.connect(raw.lastEndpoint ?? '');
    subscriber.subscribe();
  });

  afterEach(() => {
    subscriber.close();
    raw.close();
  });

  test('invalid frames are counted and dropped while valid ones still arrive', async () => {
    const good = JSON.stringify({
      type: 'telemetry',
      id: 'g',
      timestamp: 1,
      source: 'x',
      topic: 'example.tick',
      payload: { count: 1, rate_hz: 10 },
    });
    const sixBands = JSON.stringify({
      type: 'telemetry',
      id: 'b',
      timestamp: 1,
      source: 'x',
      topic: 'audio.features',
      payload: { ...AUDIO_FRAME, bands: [0, 0, 0, 0, 0, 0] },
    });
    const wrongTopic = JSON.stringify({
      type: 'telemetry',
      id: 't',
      timestamp: 1,
      source: 'x',
      topic: 'other',
      payload: {},
    });
    await publishUntil(
      () => {
        void raw.send(['example.tick', 'not json']);
        void raw.send(['audio.features', sixBands]);
        void raw.send(['example.tick', wrongTopic]);
        void raw.send('single-frame');
        void raw.send(['example.tick', good]);
      },
      () => received.length > 0 && subscriber.stats.invalid >= 4,
      'a valid message and four invalid ones arrive',
    );

    expect(received.every((topic) => topic === 'example.tick')).toBe(true);
    const codes = new Set(invalid.map((error) => error.code));
    expect(codes).toEqual(new Set(['VJ_BUS_INVALID_JSON', 'VJ_BUS_INVALID_MESSAGE']));
    const bandError = invalid.find((error) => error.message.includes('/payload/bands'));
    expect(bandError?.fields.topic).toBe('audio.features');
  });
});

describe('subscriber reconnection', () => {
  test('subscriber receives again after the publisher restarts on the same port', async () => {
    const first = await TelemetryPublisher.open({ endpoint: 'tcp://127.0.0.1:*', source: 'example_worker' });
    const endpoint = first.endpoint;
    const subscriber = new TelemetrySubscriber({ reconnectIntervalMs: 50 });
    const counts: number[] = [];
    subscriber.on('message', (_topic, message) =>
      counts.push((message as { payload: { count: number } }).payload.count),
    );
    subscriber.connect(endpoint);
    subscriber.subscribe('example.');

    await publishUntil(
      () => first.publish('example.tick', { count: 1, rate_hz: 10 }),
      () => counts.includes(1),
      'the first publisher is heard',
    );
    first.close();
    await delay(200);

    const second = await TelemetryPublisher.open({ endpoint, source: 'example_worker' });
    await publishUntil(
      () => second.publish('example.tick', { count: 2, rate_hz: 10 }),
      () => counts.includes(2),
      'the restarted publisher is heard',
    );
    expect(subscriber.stats.invalid).toBe(0);
    subscriber.close();
    second.close();
  });
});

describe('publisher under a burst', () => {
  test('publish never throws during a synchronous burst to a connected subscriber', async () => {
    const publisher = await TelemetryPublisher.open({
      endpoint: 'tcp://127.0.0.1:*',
      source: 'burst',
      sendHighWaterMark: 100,
    });
    const subscriber = new TelemetrySubscriber({ receiveHighWaterMark: 100 });
    let received = 0;
    subscriber.on('message', () => received++);
    subscriber.connect(publisher.endpoint);
    subscriber.subscribe('audio.');
    await publishUntil(
      () => publisher.publish('audio.features', AUDIO_FRAME),
      () => received > 0,
      'the subscriber is connected',
    );

    expect(() => {
      for (let index = 0; index < 100_000; index++) publisher.publish('audio.features', AUDIO_FRAME);
    }).not.toThrow();
    expect(publisher.stats.published).toBeGreaterThan(100_000);
    subscriber.close();
    publisher.close();
  });
});
