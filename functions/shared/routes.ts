/**
 * The HTTP routes (API §7) and which Lambda serves each. API Gateway gets them from the CDK stack;
 * the local runtime uses this table to turn a request into the same proxy event API Gateway would send.
 */
export interface Route {
  method: 'GET' | 'POST';
  resource: string;
  fn: 'api' | 'webhooks';
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', resource: '/v1/dossiers', fn: 'api' },
  { method: 'GET', resource: '/v1/dossiers/{dossierId}', fn: 'api' },
  { method: 'POST', resource: '/v1/dossiers/{dossierId}/payments', fn: 'api' },
  { method: 'GET', resource: '/v1/debtors/{debtorId}', fn: 'api' },
  { method: 'GET', resource: '/v1/tasks', fn: 'api' },
  { method: 'POST', resource: '/v1/tasks/{taskId}/complete', fn: 'api' },
  { method: 'POST', resource: '/webhooks/twilio/inbound', fn: 'webhooks' },
  { method: 'POST', resource: '/webhooks/twilio/status', fn: 'webhooks' },
  { method: 'POST', resource: '/webhooks/sendgrid/events', fn: 'webhooks' },
];

export type RouteMatch =
  | { kind: 'match'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method_not_allowed' }
  | { kind: 'not_found' };

export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.replace(/\/+$/, '').split('/');
  let pathExists = false;
  for (const route of ROUTES) {
    const pattern = route.resource.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        if (!parts[i]) return false;
        params[m[1]] = decodeURIComponent(parts[i]);
        return true;
      }
      return seg === parts[i];
    });
    if (!ok) continue;
    pathExists = true;
    if (route.method === method.toUpperCase()) return { kind: 'match', route, pathParameters: params };
  }
  return pathExists ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
}
