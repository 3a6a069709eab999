/** AWS entry point of the HTTP API (HTTP API payload 2.0 through hono/aws-lambda). Wiring only. */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../lib/api/app';
// Leaf modules, not the barrels: the api bundle leaves out the reconciler and the sweeper (ADR 0020).
import { lambdaApiServices } from '../lib/runtime/lambda-api';

const services = lambdaApiServices(process.env);

/** The Lambda handler: every route of the API; `?wait=` polls the store while other functions work. */
export const handler = handle(createApp(services));
