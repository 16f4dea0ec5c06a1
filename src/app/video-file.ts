// The File of the open video, kept outside the store: zustand holds metadata only, and the MP4 export
// needs the original bytes (mounted into ffmpeg.wasm), which a blob URL cannot give back without a fetch.
let file: File | null = null;

export function setVideoFile(f: File): void {
  file = f;
}

export function getVideoFile(): File | null {
  return file;
}
