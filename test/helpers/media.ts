import type { StageStream } from '../../src/sdk/index.js';

/** Camera and microphone from Chromium's fake devices. */
export async function fakeCameraAndMic(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
}

/** Sums a field over the inbound-rtp entries of a stream's stats report. */
export async function inbound(stream: StageStream, field: 'framesDecoded' | 'packetsReceived' | 'bytesReceived'): Promise<number> {
  const report = await stream.getStats();
  let total = 0;
  report.forEach((entry) => {
    if (entry.type === 'inbound-rtp') total += (entry as Record<string, number>)[field] ?? 0;
  });
  return total;
}
