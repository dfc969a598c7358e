import { createContext } from '@lit/context';
import type { StageHandle } from './stage-handle.js';

/**
 * Context key under which `<ivs-stage>` provides its {@link StageHandle}.
 * The value never changes for a given provider: consumers follow the
 * handle's events rather than waiting for a new value.
 */
export const stageContext = createContext<StageHandle>(Symbol.for('ivs-stage-handle'));
