/**
 * Schemas for everything that enters the system, shared by the handlers, the local runtime, the OpenAPI document
 * (functions/shared/openapi.ts renders these very schemas) and the tests. zod/mini (see ./zod.ts); one module per
 * edge under ./schemas/, so a function bundles only the schemas of its own edge (the client API's phone check alone
 * needs libphonenumber's ≈ 118 KB of metadata). This file re-exports them all for code that wants one import;
 * handlers import the edge module they need.
 */
export * from './schemas/fields.js';
export * from './schemas/api.js';
export * from './schemas/webhooks.js';
export * from './schemas/journey.js';
export * from './schemas/payments.js';
