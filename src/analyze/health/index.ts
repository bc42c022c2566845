/** The health score: a pure function of HealthInputs (see health-score.ts, docs/health-score.md). */
export type { HealthConfigOverrides } from './config.js';
export { DEFAULT_HEALTH_CONFIG, resolveHealthConfig } from './config.js';
export { computeHealthScore } from './health-score.js';
