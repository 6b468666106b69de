/**
 * API Gateway Lambda authorizer (REQUEST type) for every client route: the `x-api-key` header → the client and
 * its role, by the key's sha-256 (the only form in which keys are stored). API Gateway caches the answer per key
 * (stack.ts), so most requests never reach this function or DynamoDB; the Api function trusts the context it
 * passes on (`clientId`, `role`, `clientName`, and the client settings the intake needs: VAT, interest, the
 * business-cost agreement). An unknown key is refused with API Gateway's 401.
 *
 * The local API stand-in (infra/local/api-server.ts) calls this same handler before every client route.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { AUTHORIZER_UNAUTHORIZED } from '../shared/edge.js';
import { clientByApiKey } from '../store/clients.js';

export type ClientRole = 'creditor' | 'agent';

/** What the authorizer hands to the integration, in `event.requestContext.authorizer`. */
export interface ClientContext {
  clientId: string;
  role: ClientRole;
  clientName: string;
  /** present (true) for a client that cannot deduct VAT: the intake adds VAT to its collection costs */
  vatOnCosts?: true;
  /** present (true) for a client that claims statutory interest: the intake gives its claims their interest terms */
  claimsInterest?: true;
  /**
   * the client's collection-cost agreement for business debtors, as JSON (a context holds only strings, numbers and
   * booleans); absent: the WIK scale
   */
  businessCosts?: string;
}

function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name && v) return v;
  return undefined;
}

/**
 * The policy covers every method of the stage, not just the one asked for: the result is cached per key and
 * reused for the client's next requests to any route. What a role may do is checked by the API itself
 * (agents only on the task routes → 403), so one cached answer serves every route.
 */
function stageWildcard(methodArn: string): string {
  const [arnAndApi, stage] = methodArn.split('/');
  return `${arnAndApi}/${stage}/*`;
}

export const handler = lambdaHandler(async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const apiKey = headerValue(event.headers, 'x-api-key');
  // Longer than any key we issue: not worth a database look-up.
  const client = apiKey && apiKey.length <= 256 ? await clientByApiKey(apiKey) : undefined;
  if (!client) {
    logger.info('api key refused', { keyGiven: !!apiKey });
    throw new Error(AUTHORIZER_UNAUTHORIZED);
  }
  const context: ClientContext = {
    clientId: client.clientId,
    role: client.agent ? 'agent' : 'creditor',
    clientName: client.name,
    ...(client.vatOnCosts ? { vatOnCosts: true as const } : {}),
    ...(client.claimsInterest ? { claimsInterest: true as const } : {}),
    ...(client.businessCosts ? { businessCosts: JSON.stringify(client.businessCosts) } : {}),
  };
  return {
    principalId: client.clientId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }] },
    context: { ...context },
  };
}, (event) => ({ correlationId: event.requestContext?.requestId }));
