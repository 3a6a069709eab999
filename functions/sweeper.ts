/** AWS entry point of the EventBridge schedule (`rate(1 minute)`). Wiring only. */
import { lambdaServices, scheduledRun, type ScheduledEvent } from '../lib/runtime';

const services = lambdaServices('sweeper', process.env);

/** The Lambda handler: one inactivity sweep and a re-drive of stuck work per scheduled event. */
export const handler = (event: ScheduledEvent) => scheduledRun(services, event);
