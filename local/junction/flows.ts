/**
 * Realistic Junction webhook bodies, for the simulator (`npm run simulate`),
 * tests, benchmarks and the API stand-in (junction-standin.ts): order snapshots
 * as Junction sends them (events so far, last_event, the transaction listing as
 * of that moment), complete ClientFacingOrder objects as Junction's OpenAPI
 * schema requires them (test/integration/junction-standin-openapi.test.ts checks),
 * with every free-text PHI field filled by canary values, so that anyone can
 * search stored items, logs and responses for them. Pure: no I/O, no randomness
 * but fresh ids and the seeded delivery schedule.
 *
 * Its parts, exported from here: junction/flow-specs.ts (the flows as data),
 * junction/order-webhooks.ts (their order webhooks), junction/appointment-webhooks.ts
 * (appointment webhooks) and junction/svix-schedule.ts (the order Svix delivers them in).
 */
export * from './flow-specs';
export * from './order-webhooks';
export * from './appointment-webhooks';
export * from './svix-schedule';
