/**
 * Tempo estimate over a sliding window of the onset novelty curve. An
 * exponentially weighted autocorrelation, updated in O(lags) per frame, is
 * read through a comb over the first four multiples of each candidate beat
 * period and weighted by a prior over log tempo. The comb makes the estimate finer
 * than one lag (at 86 frames per second one lag is 3 % of 145 BPM) because
 * the fourth multiple is read at a quarter of the rounding error.
 */

/** Time constant in seconds of the autocorrelation's exponential window. */
const MEMORY_S = 2;
/** Time constant in seconds of the running mean removed from the novelty curve. */
const MEAN_S = 1.5;
/** Relative step between two tempo candidates: 0.4 % keeps each candidate within 0.2 % of any tempo. */
const CANDIDATE_STEP = 0.004;
/** Multiples of the beat period read by the comb. */
const COMB_MULTIPLES = 4;
/**
 * Smallest standard deviation in octaves of the Gaussian prior over log
 * tempo, so the edges of the default preferred range (90 and 180 BPM) get
 * e^−½ = 0.61. NOTE: chosen on the development clips: a width of 0.7
 * octaves made a chiptune clip read 4/3 of its tempo for 15 s.
 */
const PRIOR_WIDTH_OCTAVES = 0.5;
/** Time constant in seconds of the novelty power behind `noveltyRms`: short, so that a break shows within a second or two. */
const RECENT_RMS_S = 0.5;
/** Release time constant in seconds of the peak of `noveltyRms` that `activity` compares with. */
const PEAK_RMS_RELEASE_S = 10;
/** Ratios to the best tempo that the alternative octave may take. */
const OCTAVE_FACTORS = [2, 0.5] as const;
/** Audio in seconds that a lag must have correlated before the comb reads it. */
const MIN_OVERLAP_S = 0.5;
/** Slowest tempo any bpmRange may request. The buffers are sized for it so that the range can change live. */
const SLOWEST_BPM = 30;

/** One raw tempo reading, refreshed by `TempoEstimator.update`. */
export interface TempoReading {
  /** Best tempo in BPM, 0 before the first reading. */
  bpm: number;
  /** Comb score of `bpm`: the mean normalised autocorrelation over its multiples, at most 1. */
  periodicity: number;
  /** Periodicity minus the mean periodicity over all candidates: how far `bpm` rises above the other candidates. */
  contrast: number;
  /** Best alternative octave (double or half of `bpm`) in BPM, 0 when neither lies in the range. */
  altBpm: number;
  /** Posterior score of `altBpm` relative to the score of `bpm`, 0–1. */
  altRatio: number;
  /** RMS of the centred novelty curve over about the last second: how much rhythm there is to measure now. */
  noveltyRms: number;
  /** `noveltyRms` relative to its recent peak, 0–1: low in a break or after the music stops. */
  activity: number;
}

/**
 * Autocorrelation tempo estimator over one novelty value per frame.
 *
 * @example
 * const tempo = new TempoEstimator(44100 / 512, [60, 200], [90, 180]);
 * tempo.push(onsets.novelty);
 * const reading = tempo.update();
 */
export class TempoEstimator {
  readonly reading: TempoReading = {
    bpm: 0,
    periodicity: 0,
    contrast: 0,
    altBpm: 0,
    altRatio: 0,
    noveltyRms: 0,
    activity: 0,
  };
  private readonly frameRateHz: number;
  private readonly maxLag: number;
  private readonly history: Float64Array;
  private readonly acf: Float64Array;
  private readonly decay: number;
  private readonly meanFactor: number;
  private readonly recentFactor: number;
  private recentPower = 0;
  private peakRms = 0;
  private readonly peakRelease: number;
  private candidateBpm = new Float64Array(0);
  private candidatePrior = new Float64Array(0);
  private candidateScore = new Float64Array(0);
  private writeIndex = 0;
  /**
   * Weight each lag of `acf` has gathered: the decayed count of its products.
   * In the first seconds a long lag has seen fewer products than a short one,
   * so its raw sum reads low and the comb would favour fast tempi.
   */
  private readonly lagWeight: Float64Array;
  /** Frames pushed since the start or the last reset, counted up to `settledFrames`. */
  private framesSeen = 0;
  /** Frames after which every lag's weight equals the weight of lag 0 to within 1e-4, so the correction stops. */
  private readonly settledFrames: number;
  /** Weight of a lag that has correlated MIN_OVERLAP_S of audio. */
  private readonly minOverlapWeight: number;
  private mean = 0;
  private bpmRange: readonly [number, number] = [SLOWEST_BPM, SLOWEST_BPM];
  private preferredBpmRange: readonly [number, number] = [SLOWEST_BPM, SLOWEST_BPM];

  constructor(
    frameRateHz: number,
    bpmRange: readonly [number, number],
    preferredBpmRange: readonly [number, number],
  ) {
    this.frameRateHz = frameRateHz;
    // Twice the slowest period, so that the comb reads at least two multiples of any candidate.
    this.maxLag = Math.ceil((2 * 60 * frameRateHz) / SLOWEST_BPM) + 2;
    this.history = new Float64Array(this.maxLag + 1);
    this.acf = new Float64Array(this.maxLag + 1);
    this.lagWeight = new Float64Array(this.maxLag + 1);
    this.settledFrames = this.maxLag + Math.ceil(Math.log(1e4) * MEMORY_S * frameRateHz);
    this.decay = Math.exp(-1 / (MEMORY_S * frameRateHz));
    this.minOverlapWeight = (1 - this.decay ** (MIN_OVERLAP_S * frameRateHz)) / (1 - this.decay);
    this.meanFactor = 1 - Math.exp(-1 / (MEAN_S * frameRateHz));
    this.recentFactor = 1 - Math.exp(-1 / (RECENT_RMS_S * frameRateHz));
    this.peakRelease = Math.exp(-1 / (PEAK_RMS_RELEASE_S * frameRateHz));
    this.setRange(bpmRange, preferredBpmRange);
  }

  /** Restricts the candidates to `bpmRange` and moves the prior to `preferredBpmRange`; keeps the autocorrelation. */
  setRange(bpmRange: readonly [number, number], preferredBpmRange: readonly [number, number]): void {
    this.bpmRange = bpmRange;
    this.preferredBpmRange = preferredBpmRange;
    const count = Math.floor(Math.log(bpmRange[1] / bpmRange[0]) / Math.log1p(CANDIDATE_STEP)) + 1;
    this.candidateBpm = new Float64Array(count);
    this.candidatePrior = new Float64Array(count);
    this.candidateScore = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const bpm = bpmRange[0] * (1 + CANDIDATE_STEP) ** i;
      this.candidateBpm[i] = bpm;
      this.candidatePrior[i] = this.priorOf(bpm);
    }
  }

  /** Forgets all frames. */
  reset(): void {
    this.history.fill(0);
    this.acf.fill(0);
    this.lagWeight.fill(0);
    this.framesSeen = 0;
    this.writeIndex = 0;
    this.mean = 0;
    this.recentPower = 0;
    this.peakRms = 0;
    const reading = this.reading;
    reading.bpm = 0;
    reading.periodicity = 0;
    reading.contrast = 0;
    reading.altBpm = 0;
    reading.altRatio = 0;
    reading.noveltyRms = 0;
    reading.activity = 0;
  }

  /** Appends one novelty value and updates the autocorrelation: about `maxLag` multiply-adds. */
  push(novelty: number): void {
    this.mean += this.meanFactor * (novelty - this.mean);
    const value = novelty - this.mean;
    this.recentPower += this.recentFactor * (value * value - this.recentPower);
    this.peakRms = Math.max(Math.sqrt(this.recentPower), this.peakRms * this.peakRelease);
    const history = this.history;
    const size = history.length;
    const now = this.writeIndex;
    history[now] = value;
    const acf = this.acf;
    const decay = this.decay;
    let index = now;
    for (let lag = 0; lag <= this.maxLag; lag++) {
      acf[lag] = decay * (acf[lag] as number) + value * (history[index] as number);
      index = index === 0 ? size - 1 : index - 1;
    }
    this.writeIndex = now + 1 === size ? 0 : now + 1;
    if (this.framesSeen < this.settledFrames) {
      // A lag gains a product once the history reaches back that far.
      const weight = this.lagWeight;
      const reached = Math.min(this.framesSeen, this.maxLag);
      for (let lag = 0; lag <= this.maxLag; lag++) {
        weight[lag] = decay * (weight[lag] as number) + (lag <= reached ? 1 : 0);
      }
      this.framesSeen++;
    }
  }

  /** Scores every candidate tempo and refreshes `reading`. About 1000 operations. */
  update(): TempoReading {
    const reading = this.reading;
    const energy = this.acf[0] as number;
    reading.noveltyRms = Math.sqrt(this.recentPower);
    reading.activity = this.peakRms > 0 ? reading.noveltyRms / this.peakRms : 0;
    if (!(energy > 0)) {
      reading.bpm = 0;
      reading.periodicity = 0;
      reading.contrast = 0;
      reading.altBpm = 0;
      reading.altRatio = 0;
      return reading;
    }

    const count = this.candidateBpm.length;
    let best = 0;
    let bestPosterior = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const score = this.comb((60 * this.frameRateHz) / (this.candidateBpm[i] as number)) / energy;
      this.candidateScore[i] = score;
      sum += score;
      const posterior = Math.max(0, score) * (this.candidatePrior[i] as number);
      if (posterior > bestPosterior) {
        bestPosterior = posterior;
        best = i;
      }
    }

    const bpm = this.refine(best);
    reading.bpm = bpm;
    reading.periodicity = this.candidateScore[best] as number;
    reading.contrast = reading.periodicity - sum / count;
    this.readAlternative(bpm, bestPosterior, energy);
    return reading;
  }

  /** Mean autocorrelation at the multiples of `period` frames that lie within the lags kept. */
  private comb(period: number): number {
    let total = 0;
    let terms = 0;
    for (let multiple = 1; multiple <= COMB_MULTIPLES; multiple++) {
      const lag = multiple * period;
      if (lag > this.maxLag - 1) {
        break;
      }
      const below = Math.floor(lag);
      const fraction = lag - below;
      let value = (1 - fraction) * (this.acf[below] as number) + fraction * (this.acf[below + 1] as number);
      if (this.framesSeen < this.settledFrames) {
        const weight = this.lagWeight[below + 1] as number;
        // A lag with fewer products than MIN_OVERLAP_S of audio would give a noisy term, so it and longer ones are left out.
        if (weight < this.minOverlapWeight) {
          break;
        }
        value *= (this.lagWeight[0] as number) / weight;
      }
      total += value;
      terms++;
    }
    return terms === 0 ? 0 : total / terms;
  }

  /** Returns the tempo of candidate `index` refined by a parabola through its posterior and its neighbours'. */
  private refine(index: number): number {
    const bpm = this.candidateBpm[index] as number;
    if (index === 0 || index === this.candidateBpm.length - 1) {
      return bpm;
    }
    const before = this.posterior(index - 1);
    const at = this.posterior(index);
    const after = this.posterior(index + 1);
    const curvature = before - 2 * at + after;
    if (!(curvature < 0)) {
      return bpm;
    }
    const offset = Math.max(-0.5, Math.min(0.5, (0.5 * (before - after)) / curvature));
    return bpm * (1 + CANDIDATE_STEP) ** offset;
  }

  private posterior(index: number): number {
    return Math.max(0, this.candidateScore[index] as number) * (this.candidatePrior[index] as number);
  }

  private readAlternative(bpm: number, bestPosterior: number, energy: number): void {
    const reading = this.reading;
    reading.altBpm = 0;
    reading.altRatio = 0;
    for (const factor of OCTAVE_FACTORS) {
      const altBpm = bpm * factor;
      if (altBpm < this.bpmRange[0] || altBpm > this.bpmRange[1]) {
        continue;
      }
      const score = this.comb((60 * this.frameRateHz) / altBpm) / energy;
      const ratio = bestPosterior > 0 ? (Math.max(0, score) * this.priorOf(altBpm)) / bestPosterior : 0;
      if (ratio > reading.altRatio || reading.altBpm === 0) {
        reading.altBpm = altBpm;
        reading.altRatio = Math.min(1, ratio);
      }
    }
  }

  /**
   * Prior weight of `bpm`: a Gaussian over log tempo centred on the part of
   * the preferred range that lies inside bpmRange (on bpmRange itself when
   * they do not overlap), whose edges sit at least one standard deviation out.
   */
  private priorOf(bpm: number): number {
    let low = Math.max(this.preferredBpmRange[0], this.bpmRange[0]);
    let high = Math.min(this.preferredBpmRange[1], this.bpmRange[1]);
    if (low >= high) {
      [low, high] = this.bpmRange;
    }
    const centerBpm = Math.sqrt(low * high);
    const widthOctaves = Math.max(PRIOR_WIDTH_OCTAVES, Math.log2(high / centerBpm));
    const deviation = Math.log2(bpm / centerBpm) / widthOctaves;
    return Math.exp(-0.5 * deviation * deviation);
  }
}
