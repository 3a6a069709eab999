export { buildServices, type Log, type ServiceOptions, type Services } from './services';
export { buildApiServices, type ApiServices } from './api-services';
export { lambdaServices, jsonLog, scheduledRun, type LambdaFunction, type LambdaServices, type ScheduledEvent, type ScheduledRun } from './lambda';
export { lambdaApiServices, type LambdaApiServices } from './lambda-api';
export { reconcileStream, changedWorkspaces, fromImage, type DynamoDBStreamEvent, type DynamoDBStreamRecord, type StreamBatchResponse, type AttributeValue, type ChangedWorkspace } from './stream';
