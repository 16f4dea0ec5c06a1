// Named errors for bad input (docs/architecture.md §9): each message says what is wrong and what to do.

export class MediaError extends Error {
  override name = 'MediaError';
}
export class EmptyFileError extends MediaError {
  override name = 'EmptyFileError';
  constructor() {
    super('The file is empty (0 bytes). Choose a video file.');
  }
}
export class NotAVideoError extends MediaError {
  override name = 'NotAVideoError';
  constructor(detail = '') {
    super(
      `This file is not a video that can be read, or it is truncated/corrupt${detail ? ` (${detail})` : ''}. Try another file or re-export it as MP4.`,
    );
  }
}
export class NoVideoStreamError extends MediaError {
  override name = 'NoVideoStreamError';
  constructor() {
    super('The file has no video stream (audio only?). Choose a file with video.');
  }
}
export class TooLongError extends MediaError {
  override name = 'TooLongError';
  constructor(durationSec: number, maxSec: number) {
    super(`The video is ${durationSec.toFixed(1)} s long; the limit is ${maxSec} s. Trim it and try again.`);
  }
}
export class TooLargeError extends MediaError {
  override name = 'TooLargeError';
  constructor(bytes: number, maxBytes: number) {
    super(
      `The file is ${(bytes / 2 ** 20).toFixed(0)} MB; the limit is ${(maxBytes / 2 ** 20).toFixed(0)} MB. Use a smaller export.`,
    );
  }
}
export class NoFramesError extends MediaError {
  override name = 'NoFramesError';
  constructor() {
    super('No frames could be decoded from the video (truncated or corrupt?). Try re-exporting it.');
  }
}
