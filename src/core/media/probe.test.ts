import { describe, expect, it } from 'vitest';
import { NoFramesError, NoVideoStreamError, NotAVideoError, TooLongError } from './errors.ts';
import { checkLimits, outputSize, parseProbeLog, progressFromLog, rawFrames } from './probe.ts';

const LOG = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 1205 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 1100 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
      Side data:
        displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified`;

describe('probe log parsing', () => {
  it('reads duration, size, frame rate, rotation and audio', () => {
    const info = parseProbeLog(LOG);
    expect(info).toMatchObject({
      durationSec: 62.5,
      width: 1920,
      height: 1080,
      rotationDeg: 90,
      sourceFps: 29.97,
      hasAudio: true,
      videoCodec: 'h264',
    });
    expect(parseProbeLog(LOG.replace('Video: h264 (High) (avc1 / 0x31637661)', 'Video: mpeg1video')).videoCodec).toBe(
      'mpeg1video',
    );
    // rotated 90°: the decoded frames are portrait
    expect(outputSize(info)).toEqual({ width: 224, height: 398 });
  });
  it('names audio-only and unreadable inputs', () => {
    expect(() => parseProbeLog(LOG.replace(/\n {2}Stream #0:0[^\n]*\n[^\n]*\n[^\n]*/, ''))).toThrow(NoVideoStreamError);
    expect(() => parseProbeLog('x.mp4: Invalid data found when processing input')).toThrow(NotAVideoError);
    expect(() =>
      parseProbeLog(
        '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\nx.mp4: Invalid data found when processing input',
      ),
    ).toThrow(/truncated/);
  });
  it('enforces the length limit', () => {
    expect(() => checkLimits({ ...parseProbeLog(LOG), durationSec: 301 })).toThrow(TooLongError);
    expect(() => checkLimits(parseProbeLog(LOG))).not.toThrow();
  });
  it('turns ffmpeg progress lines into a fraction', () => {
    expect(progressFromLog('frame=  100 fps= 50 q=-0.0 size= 1kB time=00:00:31.25 bitrate=', 62.5)).toBeCloseTo(0.5);
    expect(progressFromLog('no time here', 62.5)).toBeNull();
  });
});

describe('raw frames', () => {
  const size = { width: 4, height: 2 }; // 24 bytes a frame
  it('keeps whole frames only and takes the duration from the container, else from the frames', () => {
    const bytes = Uint8Array.from({ length: 24 * 3 + 10 }, (_, i) => i % 251);
    const info = parseProbeLog(LOG);
    const f = rawFrames(info, size, bytes);
    expect(f.frameCount).toBe(3);
    expect(f.data.byteLength).toBe(72);
    expect(Array.from(f.data.subarray(70, 72))).toEqual([70, 71]);
    expect(f.durationSec).toBeCloseTo(62.5, 6);
    expect(rawFrames({ ...info, durationSec: null }, size, bytes).durationSec).toBeCloseTo(3 / 16, 9);
    expect(rawFrames(info, size, bytes.subarray(0, 48)).data.byteLength).toBe(48);
  });
  it('refuses output without one whole frame', () => {
    expect(() => rawFrames(parseProbeLog(LOG), size, new Uint8Array(23))).toThrow(NoFramesError);
  });
});
