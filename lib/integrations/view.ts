import { z } from 'zod';
import type { IntegrationRecord } from '../store';

/**
 * An integration as the API shows it, written once (`lib/api` names it `Integration` in the OpenAPI
 * document): settings with secret references (names, never values).
 */
export const IntegrationViewSchema = z.object({
  id: z.string(), kind: z.enum(['github', 'slack']),
  inboundPath: z.string().meta({ description: 'the signed endpoint to give GitHub (payload URL) or Slack (request URL)' }),
  config: z.record(z.string(), z.unknown()).meta({ description: 'settings; secrets appear as references (env:, file:, aws-sm:), never values' }),
  links: z.array(z.object({ team: z.string(), user: z.string(), owner: z.string() })).optional(),
  createdAt: z.string(), updatedAt: z.string(),
});

/** An integration as the API shows it. */
export type IntegrationView = z.infer<typeof IntegrationViewSchema>;

/** The API view of an integration; Slack links are listed when given. */
export function integrationView(rec: IntegrationRecord, links?: IntegrationView['links']): IntegrationView {
  return {
    id: rec.id, kind: rec.kind, inboundPath: `/v1/integrations/${rec.kind}/${rec.id}`, config: rec.config,
    ...(links ? { links } : {}), createdAt: rec.createdAt, updatedAt: rec.updatedAt,
  };
}
