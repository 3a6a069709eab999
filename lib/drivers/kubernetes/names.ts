import { LABELS, objectName } from '../driver';
import type { DriverWorkspace } from '../driver';

/** Deterministic names of everything workbay creates for a workspace (DESIGN §4). */
export const kubeNames = (wsId: string) => {
  const base = objectName(wsId);
  return {
    pod: base,
    pvc: base,
    roleBinding: base,
    serviceAccount: base,
    buildkit: `${base}-buildkit`,
    arch: `${base}-arch`,
    source: `${base}-source`,
    features: `${base}-features`,
  };
};

/** The dev container's name in the pod, as DevPod names it. */
export const DEV_CONTAINER = 'devpod';

/** Labels on every object workbay creates; DevPod's labels too, so DevPod-minded tools find them. */
export function kubeLabels(ws: DriverWorkspace, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [LABELS.workspaceId]: ws.id.toLowerCase(),
    [LABELS.managedBy]: 'workbay',
    ...(ws.instance ? { [LABELS.instance]: ws.instance } : {}),
    'devpod.sh/created': 'true',
    'devpod.sh/workspace-uid': ws.id.toLowerCase(),
  };
}

/** Label selector that finds every object of a workspace. */
export const workspaceSelector = (wsId: string) => `${LABELS.workspaceId}=${wsId.toLowerCase()}`;
