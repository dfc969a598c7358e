import { css } from 'lit';

/**
 * Look shared by `<ivs-participant>` and `<ivs-local-stream>`: a rounded
 * tile with the video filling it, a placeholder when there is no picture,
 * and a caption in the lower-left corner.
 */
export const tileStyles = css`
  :host {
    display: block;
    position: relative;
    min-width: 0;
    aspect-ratio: var(--ivs-tile-aspect-ratio, 16 / 9);
    border-radius: var(--ivs-tile-radius, 0.75rem);
    overflow: hidden;
    background: var(--ivs-tile-background, #1d2026);
    color: var(--ivs-tile-color, #f4f5f7);
    font: var(--ivs-tile-font, 500 0.875rem/1.25 system-ui, sans-serif);
    contain: layout paint;
  }

  :host([hidden]) {
    display: none;
  }

  .tile {
    position: absolute;
    inset: 0;
    margin: 0;
  }

  video {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: var(--ivs-video-fit, cover);
    background: transparent;
  }

  .placeholder {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    background: var(--ivs-tile-background, #1d2026);
  }

  .placeholder[hidden] {
    display: none;
  }

  .avatar {
    display: grid;
    place-items: center;
    width: var(--ivs-avatar-size, 4rem);
    aspect-ratio: 1;
    border-radius: 50%;
    background: var(--ivs-avatar-background, #3b4252);
    font-size: calc(var(--ivs-avatar-size, 4rem) * 0.4);
    font-weight: 600;
    text-transform: uppercase;
    user-select: none;
  }

  .label {
    position: absolute;
    left: 0.5rem;
    bottom: 0.5rem;
    max-width: calc(100% - 1rem);
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    padding: 0.2rem 0.5rem;
    border-radius: calc(var(--ivs-tile-radius, 0.75rem) / 2);
    background: var(--ivs-label-background, rgb(0 0 0 / 0.6));
    color: var(--ivs-label-color, #fff);
  }

  .name {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }

  .indicator {
    flex: none;
    width: 1rem;
    height: 1rem;
    color: var(--ivs-muted-color, #ff6b6b);
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

/** Up to two initials for the placeholder, from a display name. */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...words[0]].slice(0, 2) : [[...words[0]][0], [...words[1]][0]];
  return letters.join('');
}
