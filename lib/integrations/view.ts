import type { IntegrationRecord } from '../store';

/** An integration as the API shows it: settings with secret references (names, never values). */
export interface IntegrationView {
  id: string;
  kind: 'github' | 'slack';
  /** Path of the signed inbound endpoint to give GitHub or Slack (prefix it with the public URL). */
  inboundPath: string;
  config: Record<string, unknown>;
  links?: { team: string; user: string; owner: string }[];
  createdAt: string;
  updatedAt: string;
}

/** The API view of an integration; Slack links are listed when given. */
export function integrationView(rec: IntegrationRecord, links?: IntegrationView['links']): IntegrationView {
  return {
    id: rec.id, kind: rec.kind, inboundPath: `/v1/integrations/${rec.kind}/${rec.id}`, config: rec.config,
    ...(links ? { links } : {}), createdAt: rec.createdAt, updatedAt: rec.updatedAt,
  };
}
