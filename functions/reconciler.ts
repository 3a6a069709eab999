/** AWS entry point of the table's DynamoDB stream. Wiring only. */
import { lambdaServices, reconcileStream, type DynamoDBStreamEvent } from '../lib/runtime';

const services = lambdaServices('reconciler', process.env);

/** The Lambda handler: reconciles the changed workspaces of a batch, reporting failed records. */
export const handler = (event: DynamoDBStreamEvent) =>
  reconcileStream((id) => services.reconciler.reconcile(id), event, { log: services.log });
