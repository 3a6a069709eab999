import type { ResolvedProvider } from '../config';
import { definitionLocator } from '../config/provider-parse';
import { configError, type FieldError } from '../errors';
import { inlineSecretErrors, REFERENCE_HINT } from '../secrets/inline';

/**
 * Refuses a provider (or option values being set on one) that holds inline secret material: a PEM
 * private key or a kubeconfig with credentials anywhere, a token anywhere except in the value of a
 * `password` option (masked in every response), and kubeconfig text written where a kubeconfig
 * reference or path belongs. Nothing is echoed: errors name the field and the kind of material.
 *
 * @param values the option values being set now (all of them on add; the changed ones on set-options).
 * @throws WorkbayError `config.invalid` (400) with one FieldError per field and a hint to use a reference.
 */
export function refuseInlineSecrets(r: ResolvedProvider, values: Record<string, string>): void {
  const def = r.definition;
  const locate = definitionLocator(def);
  const errors: FieldError[] = [
    ...inlineSecretErrors(def.agent, 'agent'),
    ...inlineSecretErrors(def.exec, 'exec'),
    ...inlineSecretErrors(def.extra ?? {}, 'extra'),
  ].map((e) => {
    const at = locate?.(e.field.startsWith('extra.') ? e.field.slice('extra.'.length) : e.field);
    return at ? { ...e, line: at.line, column: at.column } : e;
  });
  for (const [name, option] of Object.entries(def.options)) {
    const allowTokens = option.password === true;
    if (option.default !== undefined) {
      errors.push(...inlineSecretErrors(option.default, `options.${name}.default`, { allowTokens }));
    }
  }
  for (const [rawName, value] of Object.entries(values)) {
    const name = rawName.trim().toUpperCase();
    errors.push(...inlineSecretErrors(value, `options.${name}`, { allowTokens: def.options[name]?.password === true }));
  }
  const config = r.agent.kubernetes.config;
  if (r.agent.driver === 'kubernetes' && /[\n{]/.test(config) && !errors.some((e) => e.field === 'agent.kubernetes.config')) {
    errors.push({
      field: 'agent.kubernetes.config',
      message: 'agent.kubernetes.config holds kubeconfig text; it takes a reference or a file path, never the kubeconfig itself',
      hint: REFERENCE_HINT,
    });
  }
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw configError(`provider "${def.name}" holds inline secret material: ${errors[0]!.field}${more}`, errors);
  }
}
