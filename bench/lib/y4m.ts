import { closeSync, existsSync, openSync, writeSync } from 'node:fs';

/**
 * Writes a Y4M clip with camera-like motion: a detailed scene panning
 * diagonally, with a little sensor noise on top. Chromium's built-in fake
 * camera is too easy to encode to show a realistic bitrate, so benchmarks feed
 * this to `--use-file-for-fake-video-capture` instead. Pure per-pixel noise
 * would be the opposite mistake: the encoder could never reach a quality at
 * which Chromium keeps full resolution.
 */
export function writeMotionClip(path: string, width = 640, height = 480, fps = 30, frames = 150, noiseAmplitude = 6): string {
  if (existsSync(path)) return path;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) / 0x8000;
  // A scene twice the frame size: 4×4 blocks of random grey over a soft gradient.
  const sceneWidth = width * 2;
  const sceneHeight = height * 2;
  const scene = new Uint8Array(sceneWidth * sceneHeight);
  const blocks = new Float64Array((sceneWidth / 4) * (sceneHeight / 4)).map(() => random());
  for (let y = 0; y < sceneHeight; y++) {
    for (let x = 0; x < sceneWidth; x++) {
      const block = blocks[(y >> 2) * (sceneWidth / 4) + (x >> 2)];
      scene[y * sceneWidth + x] = 40 + block * 120 + ((x + y) / (sceneWidth + sceneHeight)) * 80;
    }
  }
  const fd = openSync(path, 'w');
  writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const frame = Buffer.alloc(ySize + 2 * cSize);
  for (let f = 0; f < frames; f++) {
    // Pans out and back, so the clip loops without a jump.
    const t = f < frames / 2 ? f : frames - f;
    const dx = t * 3;
    const dy = t * 2;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const value = scene[(y + dy) * sceneWidth + x + dx] + (random() - 0.5) * noiseAmplitude;
        frame[y * width + x] = Math.max(0, Math.min(255, value));
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
