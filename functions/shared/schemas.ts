/**
 * Schemas for everything that enters the system, shared by the handlers, the local runtime and the tests
 * (zod/mini, see ./zod.ts). One module per edge under ./schemas/, so a function bundles only the schemas of
 * its own edge (the client API's phone check alone needs libphonenumber's ≈ 118 KB of metadata); this file
 * re-exports them all for code that wants one import. Handlers import the edge module they need.
 */
export * from './schemas/fields.js';
export * from './schemas/api.js';
export * from './schemas/webhooks.js';
export * from './schemas/journey.js';
