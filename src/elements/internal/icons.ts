import { html } from 'lit';

/** A crossed-out microphone; decorative, callers add the text alternative. */
export const micOffIcon = html`<svg class="indicator" part="muted-icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.8"/><path d="M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11 5.7M12 18v3"/><path d="M3 3l18 18"/></svg>`;

/** A crossed-out camera; decorative, callers add the text alternative. */
export const cameraOffIcon = html`<svg class="indicator" part="video-off-icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="M16 16v1a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h2m4 0h3a2 2 0 0 1 2 2v3.3l5-3.3v10"/><path d="M3 3l18 18"/></svg>`;
