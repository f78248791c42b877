/**
 * Offline run of the rhythm tracker over decoded audio, recording what the
 * evaluation scores: the reported tempo of every frame, the beats and the
 * time each `process` call took.
 */
import { type InputLevel, measureInputLevel } from '../../analysis/diagnostics';
import { HopSplitter } from '../../analysis/hop-splitter';
import { Spectrum } from '../../analysis/spectrum';
import { analyzeDecoded } from '../../cli/analyze';
import type { DecodedAudio } from '../../sources/wav';
import type { RhythmOptions } from '../config';
import { RhythmTracker } from '../rhythm-tracker';
import type { RhythmFrame } from '../types';

/** Per-frame record of one offline run. */
export interface RhythmTrace {
  /** Time in seconds of each frame's last sample. */
  timesS: Float64Array;
  /** Reported tempo in BPM per frame, 0 for no estimate. */
  bpm: Float64Array;
  /** Confidence 0–1 per frame. */
  confidence: Float64Array;
  /** Alternative octave in BPM per frame, 0 for none. */
  altBpm: Float64Array;
  /** Times in seconds of the frames with a tracked beat. */
  beatsS: number[];
  /** Beats that no onset backed. */
  predictedBeats: number;
  /** Times in seconds of the frames flagged as onsets. */
  onsetsS: number[];
  /** Wall-clock microseconds of each `RhythmTracker.process` call. */
  costUs: Float64Array;
}

/** Settings of an offline run that the audio does not fix. */
export interface TraceOptions {
  windowSize?: number;
  hopSize?: number;
  /** Noise gate in dBFS, as the analyser's setting of the same name (default −60). */
  noiseGateDbfs?: number;
  rhythm?: Omit<Partial<RhythmOptions>, 'sampleRate' | 'hopSize' | 'windowSize'>;
}

/**
 * Runs a new RhythmTracker over `audio` with the analyser's spectrum (Hann
 * window, 1024 samples, hop 512 by default) and returns the trace.
 *
 * @example
 * const trace = traceRhythm(await readAudioFile('clip.wav'));
 */
export function traceRhythm(audio: DecodedAudio, options: TraceOptions = {}): RhythmTrace {
  const windowSize = options.windowSize ?? 1024;
  const hopSize = options.hopSize ?? 512;
  const tracker = new RhythmTracker({ ...options.rhythm, sampleRate: audio.sampleRate, hopSize, windowSize });
  const frameCount = Math.floor(audio.frames / hopSize);
  const trace: RhythmTrace = {
    timesS: new Float64Array(frameCount),
    bpm: new Float64Array(frameCount),
    confidence: new Float64Array(frameCount),
    altBpm: new Float64Array(frameCount),
    beatsS: [],
    predictedBeats: 0,
    onsetsS: [],
    costUs: new Float64Array(frameCount),
  };

  feedTracker(tracker, audio, options.noiseGateDbfs ?? -60, (frame, timeS, index, costUs) => {
    trace.costUs[index] = costUs;
    trace.timesS[index] = timeS;
    trace.bpm[index] = frame.bpm;
    trace.confidence[index] = frame.bpmConfidence;
    trace.altBpm[index] = frame.bpmAlt;
    if (frame.isBeat) {
      trace.beatsS.push(timeS);
    }
    if (frame.beatChecked && frame.predicted) {
      trace.predictedBeats++;
    }
    if (frame.isOnset) {
      trace.onsetsS.push(timeS);
    }
  });
  return trace;
}

/**
 * Runs `analyzeDecoded`, the function behind `vj-audio analyze --json`, over
 * `audio` with the default settings and returns the trace of its frames. The
 * costs stay 0 because the analyser does not time single features;
 * `traceRhythm` measures the tracker's cost.
 *
 * @example
 * const trace = traceAnalysis(await readAudioFile('clip.wav'));
 */
export function traceAnalysis(audio: DecodedAudio): RhythmTrace {
  const frameCount = Math.floor(audio.frames / 512);
  const trace: RhythmTrace = {
    timesS: new Float64Array(frameCount),
    bpm: new Float64Array(frameCount),
    confidence: new Float64Array(frameCount),
    altBpm: new Float64Array(frameCount),
    beatsS: [],
    predictedBeats: 0,
    onsetsS: [],
    costUs: new Float64Array(frameCount),
  };
  analyzeDecoded(audio, 'evaluation', {
    onFrame: (frame) => {
      const index = frame.frame;
      if (index >= frameCount) {
        return;
      }
      trace.timesS[index] = frame.timeS;
      trace.bpm[index] = frame.bpm;
      trace.confidence[index] = frame.bpmConfidence;
      trace.altBpm[index] = frame.bpmAlt;
      if (frame.isBeat) {
        trace.beatsS.push(frame.timeS);
      }
      if (frame.beatPredicted) {
        trace.predictedBeats++;
      }
      if (frame.isOnset) {
        trace.onsetsS.push(frame.timeS);
      }
    },
  });
  return trace;
}

/**
 * Feeds `audio` to `tracker` hop by hop, as the analyser would: mono mix,
 * Hann-windowed spectrum of the last `windowSize` samples, noise gate on the
 * hop's RMS. Calls `onFrame` with each frame (reused between calls), its
 * time in seconds, its index, and the microseconds `process` took.
 */
export function feedTracker(
  tracker: RhythmTracker,
  audio: DecodedAudio,
  noiseGateDbfs: number,
  onFrame: (frame: RhythmFrame, timeS: number, index: number, costUs: number) => void,
): void {
  const { windowSize, hopSize } = tracker.config;
  const spectrum = new Spectrum(windowSize, audio.sampleRate);
  const window = new Float32Array(windowSize);
  const level: InputLevel = { peakDbfs: 0, rmsDbfs: 0, status: 'silent' };
  let index = 0;
  new HopSplitter(hopSize).push(audio.samples, audio.channels, (hop) => {
    measureInputLevel(hop, noiseGateDbfs, level);
    window.copyWithin(0, hopSize);
    window.set(hop, windowSize - hopSize);
    spectrum.compute(window);
    const timeS = ((index + 1) * hopSize - 1) / audio.sampleRate;

    const started = performance.now();
    const frame = tracker.process({
      amplitude: spectrum.amplitude,
      timeS,
      gated: level.rmsDbfs < noiseGateDbfs,
    });
    const costUs = (performance.now() - started) * 1000;
    onFrame(frame, timeS, index, costUs);
    index++;
  });
}
