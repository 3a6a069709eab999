export { IntegrationService, type IntegrationOptions, type GitHubHeaders, type SlackHeaders } from './service';
export { CreateIntegration, GitHubConfig, SlackConfig, OwnerName, SlackUser, COMMAND_ASSOCIATIONS } from './config';
export { FollowUps, type FollowUpOptions } from './followups';
export { callbackProblem, postCallback } from './callbacks';
export { githubSignature, slackSignature, verifyGitHub, verifySlack, SLACK_WINDOW_SECONDS, type SlackVerdict } from './signatures';
export { pullRequestWorkspaceName } from './github-pull-requests';
export { parseSource } from './slack-commands';
export { integrationView, IntegrationViewSchema, type IntegrationView } from './view';
