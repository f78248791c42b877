/**
 * Error codes of @vj/worker-audio, one place for all of them. Each code names
 * an area and a problem, and a retired code is never reused. Errors are thrown
 * as `VjError` from @vj/bus with one of these codes. Codes are grouped by area
 * in alphabetical order.
 */
export const AudioErrorCodes = {
  /** An OSC address map file is valid JSON but names an unknown address or has an invalid rule; the message names the key. */
  VJ_AUDIO_ADDRESS_MAP_INVALID: 'VJ_AUDIO_ADDRESS_MAP_INVALID',
  /** An OSC address map file could not be read or is not valid JSON. */
  VJ_AUDIO_ADDRESS_MAP_UNREADABLE: 'VJ_AUDIO_ADDRESS_MAP_UNREADABLE',
  /** The analyser was given a hop of another length than its hop size. */
  VJ_AUDIO_ANALYSIS_HOP_SIZE_MISMATCH: 'VJ_AUDIO_ANALYSIS_HOP_SIZE_MISMATCH',
  /** An analysis setting is out of range, or a hot change named the sample rate, window or hop, which need a new analyser. */
  VJ_AUDIO_ANALYSIS_INVALID_CONFIG: 'VJ_AUDIO_ANALYSIS_INVALID_CONFIG',
  /** The saved device choice `$VJ_HOME/audio-device.json` cannot be read or lacks the strings "host_api" and "name"; it is ignored. */
  VJ_AUDIO_DEVICE_CHOICE_INVALID: 'VJ_AUDIO_DEVICE_CHOICE_INVALID',
  /** The device choice could not be written to `$VJ_HOME/audio-device.json`, for example because VJ_HOME is not writable. */
  VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED: 'VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED',
  /** PortAudio did not stop an input stream within 3 s, so the stream was abandoned while the source goes on. */
  VJ_AUDIO_DEVICE_CLOSE_TIMEOUT: 'VJ_AUDIO_DEVICE_CLOSE_TIMEOUT',
  /** Options given to the device source are out of range; the message names the option and the accepted values. */
  VJ_AUDIO_DEVICE_INVALID_OPTIONS: 'VJ_AUDIO_DEVICE_INVALID_OPTIONS',
  /** The device scan in a child process aborted, crashed or timed out, for example on an ALSA configuration without any PCM. */
  VJ_AUDIO_DEVICE_LIST_FAILED: 'VJ_AUDIO_DEVICE_LIST_FAILED',
  /** An open input device stopped delivering audio, or its stream ended or failed; the source reopens it. */
  VJ_AUDIO_DEVICE_LOST: 'VJ_AUDIO_DEVICE_LOST',
  /** naudiodon, the PortAudio binding, is not installed or its native module failed to load. */
  VJ_AUDIO_DEVICE_NAUDIODON_MISSING: 'VJ_AUDIO_DEVICE_NAUDIODON_MISSING',
  /** No input device matches the request or the saved choice, or there is no input device at all. */
  VJ_AUDIO_DEVICE_NOT_FOUND: 'VJ_AUDIO_DEVICE_NOT_FOUND',
  /** PortAudio rejected the channels, sample rate or sample format, or could not open or start the stream. */
  VJ_AUDIO_DEVICE_OPEN_FAILED: 'VJ_AUDIO_DEVICE_OPEN_FAILED',

  /** ffmpeg or ffprobe exited with an error while probing or decoding a file; the message quotes its own error text. */
  VJ_AUDIO_FFMPEG_FAILED: 'VJ_AUDIO_FFMPEG_FAILED',
  /** A file that ffprobe can read contains no audio stream, for example a still image or a video without sound. */
  VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM: 'VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM',
  /** ffmpeg or ffprobe, needed to decode a file that is not RIFF/WAVE, was not found on PATH or at the configured path. */
  VJ_AUDIO_FFMPEG_NOT_FOUND: 'VJ_AUDIO_FFMPEG_NOT_FOUND',

  /** An audio file does not exist at the given path. */
  VJ_AUDIO_FILE_NOT_FOUND: 'VJ_AUDIO_FILE_NOT_FOUND',
  /** An audio file exists but could not be opened or read, for example for lack of permission or because it is a folder. */
  VJ_AUDIO_FILE_READ_FAILED: 'VJ_AUDIO_FILE_READ_FAILED',

  /** The worker's settings (constructor options or VJ_AUDIO_CONFIG) are invalid; the message lists each problem. */
  VJ_AUDIO_INVALID_CONFIG: 'VJ_AUDIO_INVALID_CONFIG',

  /** Options given to an audio source (file, stdin, demo) are missing or out of range; the message names the option and the accepted values. */
  VJ_AUDIO_SOURCE_INVALID_OPTIONS: 'VJ_AUDIO_SOURCE_INVALID_OPTIONS',

  /** Reading raw PCM from stdin failed with a stream error; the source stops delivering blocks. */
  VJ_AUDIO_STDIN_READ_FAILED: 'VJ_AUDIO_STDIN_READ_FAILED',

  /** A WAV fmt chunk is shorter than its format needs or declares zero channels, a zero sample rate or zero bits per sample. */
  VJ_AUDIO_WAV_INVALID_FORMAT: 'VJ_AUDIO_WAV_INVALID_FORMAT',
  /** A RIFF/WAVE file has no data chunk, so it contains no audio. */
  VJ_AUDIO_WAV_MISSING_DATA: 'VJ_AUDIO_WAV_MISSING_DATA',
  /** A RIFF/WAVE file has no fmt chunk before the end of the file, so its encoding is unknown. */
  VJ_AUDIO_WAV_MISSING_FMT: 'VJ_AUDIO_WAV_MISSING_FMT',
  /** A file or buffer does not start with a RIFF/WAVE header (it is empty or another format). */
  VJ_AUDIO_WAV_NOT_WAVE: 'VJ_AUDIO_WAV_NOT_WAVE',
  /** A WAV file ends inside its header: in the RIFF header, a chunk header, the fmt chunk or a chunk before the data chunk. */
  VJ_AUDIO_WAV_TRUNCATED_HEADER: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
  /** A wave file uses a container that the decoder does not read: RF64, BW64 (files over 4 GiB) or big-endian RIFX. */
  VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER: 'VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER',
  /** A WAV file's encoding is not integer PCM (8, 16, 24 or 32 bits) or IEEE float (32 or 64 bits), for example A-law or MP3. */
  VJ_AUDIO_WAV_UNSUPPORTED_ENCODING: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
} as const;

export type AudioErrorCode = keyof typeof AudioErrorCodes;
