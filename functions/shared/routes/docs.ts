/** The API's own description: its routes (the Docs function, no key). */
import * as z from '../zod.js';
import type { Route } from './route.js';

/** GET /openapi.json and GET /docs: served by the Docs function, without a key. */
export const DOC_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    resource: '/openapi.json',
    fn: 'docs',
    auth: 'none',
    operationId: 'openapi',
    tag: 'Documentation',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'GET',
    resource: '/docs',
    fn: 'docs',
    auth: 'none',
    operationId: 'docs',
    tag: 'Documentation',
    summary: 'This document as a page',
    responses: { 200: { description: 'HTML, self-contained (no scripts, nothing loaded from elsewhere).', contentType: 'text/html', schema: z.string() } },
  },
];
