/** AWS entry point of the EventBridge schedule (`rate(1 minute)`). Wiring only. */
import { lambdaServices, scheduledRun, type ScheduledEvent } from '../lib/runtime';

const services = lambdaServices('sweeper', process.env);

/** The Lambda handler: one inactivity sweep and a re-drive of stuck work per scheduled event. */
export const handler = async (event: ScheduledEvent) => {
  try {
    return await scheduledRun(services, event);
  } finally {
    await services.followUps.drain(); // idle warnings and inactivity stops followed up on Slack
  }
};
