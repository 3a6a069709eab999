import { ACTIVITY_FILE } from './driver';

/**
 * The keep-alive command used unless `overrideCommand: false`, as DevPod and the reference CLI do:
 * exits promptly on SIGTERM so stop is fast, and creates the activity file at every start.
 */
export const KEEPALIVE = `echo Container started; touch ${ACTIVITY_FILE} 2>/dev/null; trap "exit 0" 15; while sleep 1 & wait $!; do :; done`;
