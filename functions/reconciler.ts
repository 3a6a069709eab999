/** AWS entry point of the table's DynamoDB stream. Wiring only. */
import { lambdaServices, reconcileStream, type DynamoDBStreamEvent } from '../lib/runtime';

const services = lambdaServices('reconciler', process.env);

/**
 * The Lambda handler: reconciles the changed workspaces of a batch, reporting failed records. Slack
 * follow-ups started by the batch's events are awaited: nothing runs after a Lambda returns.
 */
export const handler = async (event: DynamoDBStreamEvent) => {
  try {
    return await reconcileStream((id) => services.reconciler.reconcile(id), event, { log: services.log, deliver: () => services.dispatcher.run() });
  } finally {
    await services.followUps.drain();
  }
};
