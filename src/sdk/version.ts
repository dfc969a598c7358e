/** The SDK version, replaced at build time from package.json. */
export const __version: string = typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : '0.0.0-dev';
declare const __SDK_VERSION__: string | undefined;
