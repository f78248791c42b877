/**
 * Position of each beat in the bar. The count starts at the first beat after
 * lock. The downbeat moves to the bar position whose onsets are clearly
 * louder than the others' (a crash or an accented kick on beat 1), and stays
 * put where no position is much louder, as with a kick on every beat.
 */

/** Weight of the newest bar in each position's running mean of accents. */
const ACCENT_SMOOTHING = 0.15;
/** Bars observed before the downbeat may move. */
const MIN_BARS = 4;
/**
 * Ratio of the strongest position's mean accent to the mean of the others
 * from which it counts as the downbeat. NOTE: with 1.35 the detector fired on
 * nearly every development clip, and on the MIDI clips, whose bars are known,
 * it mostly chose beat 2 or 3. At 2 it fires only on strongly accented bars.
 * The accent is loudness alone, so a louder backbeat still wins. A reliable
 * downbeat needs more cues, such as harmonic change or a learned model.
 */
const DOWNBEAT_RATIO = 2;
/** Fractions of a beat before and after the beat within which onset energy counts as that beat's accent. The window starts early because the clock may tick a frame before the onset peaks. */
const ACCENT_BEFORE_BEATS = 0.1;
const ACCENT_AFTER_BEATS = 0.15;

/**
 * Bar position of beats, with downbeat detection.
 *
 * @example
 * const bar = new BarCounter(4);
 * if (clock.isBeat) bar.beat(clock.beatIndex);
 * bar.accent(clock.phase, onsets.loudness);
 * const position = bar.barBeat(clock.beatIndex);
 */
export class BarCounter {
  private readonly beatsPerBar: number;
  private readonly meanAccent: Float64Array;
  /** Beats whose accent went into each position's mean. */
  private readonly accentCount: Uint32Array;
  private downbeatSlot = 0;
  private manual = false;
  private detected = false;
  private beats = 0;
  private currentSlot = -1;
  private currentAccent = 0;
  private nextAccent = 0;

  constructor(beatsPerBar: number) {
    this.beatsPerBar = beatsPerBar;
    this.meanAccent = new Float64Array(beatsPerBar);
    this.accentCount = new Uint32Array(beatsPerBar);
  }

  /** True when the downbeat comes from detection or `setDownbeat`, false while the count runs from the first beat. */
  get downbeatKnown(): boolean {
    return this.manual || this.detected;
  }

  /** Position 1…beatsPerBar of beat `beatIndex` in the bar; 1 is the downbeat. */
  barBeat(beatIndex: number): number {
    const slot = this.slotOf(beatIndex);
    return ((slot - this.downbeatSlot + this.beatsPerBar) % this.beatsPerBar) + 1;
  }

  /** Starts beat `beatIndex`: the accent gathered for the previous beat goes into its position's mean. */
  beat(beatIndex: number): void {
    if (this.currentSlot >= 0) {
      const slot = this.currentSlot;
      const mean = this.meanAccent[slot] as number;
      // A position's first accent sets its mean, so an early position does not start from 0.
      this.meanAccent[slot] =
        this.accentCount[slot] === 0
          ? this.currentAccent
          : mean + ACCENT_SMOOTHING * (this.currentAccent - mean);
      this.accentCount[slot] = (this.accentCount[slot] as number) + 1;
    }
    this.beats++;
    this.currentSlot = this.slotOf(beatIndex);
    this.currentAccent = this.nextAccent;
    this.nextAccent = 0;
    if (!this.manual && this.beats >= MIN_BARS * this.beatsPerBar && this.currentSlot === 0) {
      this.detectDownbeat();
    }
  }

  /** Adds the onset energy of one frame at beat phase `phase` to the accent of the beat nearest to it. */
  accent(phase: number, energy: number): void {
    if (phase < ACCENT_AFTER_BEATS) {
      this.currentAccent = Math.max(this.currentAccent, energy);
    } else if (phase >= 1 - ACCENT_BEFORE_BEATS) {
      this.nextAccent = Math.max(this.nextAccent, energy);
    }
  }

  /** Makes beat `beatIndex` a downbeat and stops detection until `releaseDownbeat`. */
  setDownbeat(beatIndex: number): void {
    this.downbeatSlot = this.slotOf(beatIndex);
    this.manual = true;
  }

  /** Lets detection move the downbeat again. */
  releaseDownbeat(): void {
    this.manual = false;
  }

  /** Forgets the accents and counts from the next beat; a manual downbeat is forgotten too. */
  reset(): void {
    this.meanAccent.fill(0);
    this.accentCount.fill(0);
    this.downbeatSlot = 0;
    this.manual = false;
    this.detected = false;
    this.beats = 0;
    this.currentSlot = -1;
    this.currentAccent = 0;
    this.nextAccent = 0;
  }

  /** Position 0…beatsPerBar−1 of a beat index, also for the negative indexes before a tapped start. */
  private slotOf(beatIndex: number): number {
    return ((beatIndex % this.beatsPerBar) + this.beatsPerBar) % this.beatsPerBar;
  }

  private detectDownbeat(): void {
    let best = 0;
    let total = 0;
    for (let slot = 0; slot < this.beatsPerBar; slot++) {
      total += this.meanAccent[slot] as number;
      if ((this.meanAccent[slot] as number) > (this.meanAccent[best] as number)) {
        best = slot;
      }
    }
    const othersMean = (total - (this.meanAccent[best] as number)) / Math.max(1, this.beatsPerBar - 1);
    if (othersMean > 0 && (this.meanAccent[best] as number) >= DOWNBEAT_RATIO * othersMean) {
      this.downbeatSlot = best;
      this.detected = true;
    }
  }
}
