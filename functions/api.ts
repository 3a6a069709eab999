/** AWS entry point of the HTTP API (HTTP API payload 2.0 through hono/aws-lambda). Wiring only. */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../lib/api';
import { lambdaServices } from '../lib/runtime';

const services = lambdaServices('api', process.env);

/** The Lambda handler: every route of the API; `?wait=` polls the store while other functions work. */
export const handler = handle(createApp(services));
