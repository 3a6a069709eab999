/**
 * Puts the problems of an API answer next to the fields they name. The API names fields by where
 * they came from (`body.name`, `json.source.image`) or by what the policy judged (`image`,
 * `devcontainer.mounts`, `inactivityTimeout`); anything else is shown for the whole form.
 */
import type { FieldProblem } from './api';

/** The create form's fields, by the key the form uses. */
export type CreateField = 'name' | 'provider' | 'image' | 'gitUrl' | 'gitRef' | 'timeout' | 'devcontainer';

const RULES: [RegExp, CreateField][] = [
  [/^name$/, 'name'],
  [/^provider$/, 'provider'],
  [/^(source\.)?image$/, 'image'],
  [/^(source\.)?git(\.url)?$/, 'gitUrl'],
  [/^(source\.)?git\.ref$/, 'gitRef'],
  [/^source$/, 'image'],
  [/^inactivityTimeout/, 'timeout'],
  [/^(devcontainer|mounts|runArgs|privileged|capAdd|securityOpt|build)/, 'devcontainer'],
];

/** The form field a problem names, or undefined for a problem of the whole request. */
export function fieldOf(problemField: string): CreateField | undefined {
  const f = problemField.replace(/^(body|json)\./, '');
  return RULES.find(([re]) => re.test(f))?.[1];
}

/** Groups problems by field; the rest (and a problem without errors) go under `form`. */
export function groupProblems(errors: FieldProblem[]): { byField: Map<CreateField, string[]>; form: string[] } {
  const byField = new Map<CreateField, string[]>();
  const form: string[] = [];
  for (const e of errors) {
    const text = e.hint ? `${e.message}. ${e.hint}` : e.message;
    const key = fieldOf(e.field);
    if (key) byField.set(key, [...(byField.get(key) ?? []), text]);
    else form.push(`${e.field}: ${text}`);
  }
  return { byField, form };
}
