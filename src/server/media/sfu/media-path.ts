import { nativeSrtpOutput } from './native-srtp.js';
import { loadNativeSrtp } from './native-srtp-addon.js';
import { nativeSrtpInput } from './native-srtp-input.js';
import { type SrtpInput, javascriptSrtpInput } from './srtp-input.js';
import { type SrtpOutputFactory, javascriptSrtpOutput } from './srtp-output.js';

/** How the SFU's media is protected and sent, and decrypted on arrival. */
export interface MediaPath {
  output: SrtpOutputFactory;
  input: SrtpInput;
  /** For the server's start-up log: which path forwards media, and why. */
  description: string;
}

export const javascriptMediaPath: MediaPath = { output: javascriptSrtpOutput, input: javascriptSrtpInput, description: 'JavaScript' };

/**
 * The native path when its addon was built (`npm run build` compiles it where
 * a C compiler exists) and not switched off with STAGE_SFU_NATIVE=0;
 * otherwise the JavaScript one.
 */
export function chooseMediaPath(env: NodeJS.ProcessEnv = process.env): MediaPath {
  if (env.STAGE_SFU_NATIVE === '0') return { ...javascriptMediaPath, description: 'JavaScript (STAGE_SFU_NATIVE=0)' };
  const addon = loadNativeSrtp();
  if (addon instanceof Error) return { ...javascriptMediaPath, description: `JavaScript (native addon unavailable: ${addon.message})` };
  return { output: nativeSrtpOutput(addon), input: nativeSrtpInput(addon), description: 'native (C addon: OpenSSL SRTP, UDP GSO batches)' };
}
