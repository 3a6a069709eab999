import { secretsManagerSecret, type SecretsManagerOptions } from './aws-sm';
import { composeSecrets, envSecret, fileSecret, type SecretResolver } from './references';

export { composeSecrets, isSecretRef, SECRET_SCHEMES, type SecretResolver, type SchemeResolver, type SecretScheme } from './references';
export { secretsManagerSecret, secretsManagerClient, type GetSecretValue, type SecretsManagerOptions } from './aws-sm';
export { inlineSecretKind, inlineSecretErrors, REFERENCE_HINT, type InlineSecretKind } from './inline';

/**
 * Embedded mode: `file:/path` and `env:NAME`. The environment is passed in (read once at process
 * start), never read here. Errors name the field and the scheme, never the content.
 */
export function localSecrets(env: Record<string, string | undefined>): SecretResolver {
  return composeSecrets({ file: fileSecret, env: envSecret(env) }, {
    'aws-sm': 'aws-sm: references are resolved by the AWS deployment; in embedded mode use file: or env:',
  });
}

/**
 * AWS: `aws-sm:<name>` only, under the deployment's prefix. `env:` is refused because secrets are never
 * environment values there, and `file:` because the function's files hold no secrets but
 * /proc/self/environ holds its credentials.
 */
export function awsSecrets(o: SecretsManagerOptions): SecretResolver {
  const byName = `keep it in Secrets Manager under ${o.prefix} and reference it as aws-sm:${o.prefix}<name>`;
  return composeSecrets({ 'aws-sm': secretsManagerSecret(o) }, {
    env: `environment variables never hold secrets on AWS: ${byName}`,
    file: `the function's files hold no secrets: ${byName}`,
  });
}
