import { describe, expect, it } from 'vitest';
import { ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { TokenRequest } from 'kubernetes-models/authentication.k8s.io/v1';
import type { DriverWorkspace } from '../../../lib/drivers';
import {
  attachNames, attachRoleBindingSpec, attachRoleSpec, attachServiceAccountSpec, attachTokenRequestSpec, ATTACH_TOKEN_SECONDS,
} from '../../../lib/drivers/kubernetes/attach-credentials';

const ws: DriverWorkspace = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'demo', owner: 'o', source: { image: 'busybox' }, env: {} };
const POD = 'workbay-01jabcdefghjkmnpqrstvwxyz0';

describe('the scoped Kubernetes attach credential (ADR 0013)', () => {
  it('is a ServiceAccount, Role and RoleBinding that the official schemas accept', () => {
    expect(() => new ServiceAccount(attachServiceAccountSpec(ws, 'dev') as never).validate()).not.toThrow();
    expect(() => new Role(attachRoleSpec(ws, 'dev') as never).validate()).not.toThrow();
    expect(() => new RoleBinding(attachRoleBindingSpec(ws, 'dev') as never).validate()).not.toThrow();
    expect(() => new TokenRequest(attachTokenRequestSpec(POD, 'uid-1') as never).validate()).not.toThrow();
    // The validator is real: a malformed request fails it.
    expect(() => new TokenRequest({ ...attachTokenRequestSpec(POD, 'uid-1'), spec: { expirationSeconds: 'soon' } } as never).validate()).toThrow();
  });

  it('grants exec and port-forward on the one workspace pod, by name, and nothing else', () => {
    const role = attachRoleSpec(ws, 'dev');
    expect(role.metadata).toMatchObject({ name: attachNames(ws.id).role, namespace: 'dev' });
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], resourceNames: [POD], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], resourceNames: [POD], verbs: ['create', 'get'] },
    ]);
    for (const rule of role.rules!) {
      expect(rule.resourceNames).toEqual([POD]);
      expect(rule.verbs).not.toContain('*');
      expect(rule.verbs).not.toContain('list');
    }
    const rb = attachRoleBindingSpec(ws, 'dev');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata!.name });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: attachServiceAccountSpec(ws, 'dev').metadata!.name, namespace: 'dev' }]);
    expect(attachServiceAccountSpec(ws, 'dev').automountServiceAccountToken).toBe(false);
  });

  it('asks for a token that expires and is bound to the pod', () => {
    const t = attachTokenRequestSpec(POD, 'uid-1');
    expect(t.spec).toMatchObject({ expirationSeconds: ATTACH_TOKEN_SECONDS, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: POD, uid: 'uid-1' } });
    // The API server refuses less than ten minutes; shorter asks are raised to the floor, not sent as-is.
    expect(attachTokenRequestSpec(POD, 'uid-1', 30).spec.expirationSeconds).toBe(600);
  });
});
