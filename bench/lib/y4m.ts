import { openSync, writeSync, closeSync, existsSync } from 'node:fs';

/**
 * Writes a Y4M clip with motion and noise: Chromium's built-in fake camera is
 * too easy to encode to show a realistic bitrate, so benchmarks feed this to
 * `--use-file-for-fake-video-capture` instead.
 */
export function writeNoisyClip(path: string, width = 640, height = 480, fps = 30, frames = 90): string {
  if (existsSync(path)) return path;
  const fd = openSync(path, 'w');
  writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const frame = Buffer.alloc(ySize + 2 * cSize);
  let seed = 1;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0x3f;
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // A moving diagonal gradient plus noise keeps the encoder busy.
        frame[y * width + x] = ((x + y + f * 8) & 0xff) / 2 + noise();
      }
    }
    for (let i = 0; i < cSize; i++) {
      frame[ySize + i] = 128 + ((i + f * 3) % 40) - 20;
      frame[ySize + cSize + i] = 128 + ((i * 7 + f) % 40) - 20;
    }
    writeSync(fd, 'FRAME\n');
    writeSync(fd, frame);
  }
  closeSync(fd);
  return path;
}
