/**
 * What API Gateway hands a REQUEST authorizer for a proxy request, and whether its answer allows the call — shared by
 * the local API stand-in (api-server.ts) and the simulator (simulate/runtime.ts), which both run the authorizer
 * function before a client route.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { LOCAL_DEFAULTS } from './defaults.js';

export function authorizerRequestFor(event: APIGatewayProxyEvent, apiId: string): APIGatewayRequestAuthorizerEvent {
  const { resource, path, httpMethod, headers, multiValueHeaders, pathParameters, queryStringParameters, multiValueQueryStringParameters, stageVariables } = event;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:${apiId}/${event.requestContext.stage}/${httpMethod}${resource}`,
    resource,
    path,
    httpMethod,
    headers,
    multiValueHeaders,
    pathParameters,
    queryStringParameters,
    multiValueQueryStringParameters,
    stageVariables,
    requestContext: { ...event.requestContext, authorizer: undefined },
  } as APIGatewayRequestAuthorizerEvent;
}

export const allows = (result: APIGatewayAuthorizerResult): boolean => result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
