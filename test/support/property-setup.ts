/** A setup file of every layer (vitest.config.mts): REDRAW_PROPERTY_RUNS reaches the properties that name no count (./property-runs.ts). */
import { configurePropertyRuns } from './property-runs';

configurePropertyRuns();
