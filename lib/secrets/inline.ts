import type { FieldError } from '../errors';

/** Kinds of secret material recognised when written inline in a provider. */
export type InlineSecretKind = 'private key' | 'kubeconfig credentials' | 'token';

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const KUBECONFIG = /(^|[\s{,"'])(clusters|users|contexts|current-context)["']?\s*:/m;
const KUBE_CREDENTIAL = /(^|[\s{,"'])(token|client-key-data|client-key|password|id-token|refresh-token|access-token)["']?\s*:\s*["']?[^\s"',}]/m;
/** Whole-word token forms, anchored so each word is matched in one linear pass (no backtracking blow-up). */
const TOKEN_WORDS: readonly RegExp[] = [
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/, // a JWT
  /^gh[pousr]_[A-Za-z0-9]{30,}$/, // GitHub tokens
  /^github_pat_[A-Za-z0-9_]{30,}$/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/, // Slack tokens
  /^glpat-[A-Za-z0-9_-]{20,}$/, // GitLab tokens
  /^(?:AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key ids
];
const BEARER_VALUE = /^[A-Za-z0-9._~+/-]{16,}=*$/;

function holdsToken(text: string): boolean {
  const words = text.split(/[^A-Za-z0-9._~+/=-]+/);
  for (let i = 0; i + 1 < words.length; i++) {
    if (/^bearer$/i.test(words[i]!) && BEARER_VALUE.test(words[i + 1]!)) return true;
  }
  return text.split(/[^A-Za-z0-9._~+/-]+/).some((w) => w.length >= 20 && TOKEN_WORDS.some((re) => re.test(w)));
}
/** Past this size a value is judged on its first part only: detection stays linear and cheap. */
const SCAN_LIMIT = 256 * 1024;

/**
 * What kind of secret material `text` holds inline, if any: a PEM private key, a kubeconfig with
 * credentials (token, client-key-data, password...), or a well-known token form (Bearer, JWT,
 * GitHub, Slack, GitLab, AWS key id). References (`file:`, `env:`, `aws-sm:`) hold none.
 */
export function inlineSecretKind(text: string): InlineSecretKind | undefined {
  const t = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
  if (PRIVATE_KEY.test(t)) return 'private key';
  if (KUBECONFIG.test(t) && KUBE_CREDENTIAL.test(t)) return 'kubeconfig credentials';
  if (holdsToken(t)) return 'token';
  return undefined;
}

/** The hint every refusal carries: keep the material where the control plane reads it at use. */
export const REFERENCE_HINT =
  'Keep the material outside the provider and reference it: file:/path or env:NAME (embedded mode), aws-sm:name (AWS). ' +
  'See docs/providers.md, "Secrets".';

/**
 * Field errors for every string in `tree` that holds inline secret material, without quoting it.
 * `allowTokens` lets a field that is masked everywhere (a `password` option's value) hold a token;
 * private keys and kubeconfig credentials are refused everywhere.
 */
export function inlineSecretErrors(tree: unknown, field: string, opts: { allowTokens?: boolean } = {}): FieldError[] {
  const out: FieldError[] = [];
  const walk = (node: unknown, at: string, depth: number) => {
    if (depth > 64) return;
    if (typeof node === 'string') {
      const kind = inlineSecretKind(node);
      if (kind && !(kind === 'token' && opts.allowTokens)) {
        out.push({ field: at, message: `${at} holds an inline ${kind}; secret material is never stored in or shown from a provider`, hint: REFERENCE_HINT });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}[${i}]`, depth + 1));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`, depth + 1);
    }
  };
  walk(tree, field, 0);
  return out;
}
