/**
 * The create form: Name, Provider, Image or Git URL (+ ref and a dev container config found in it),
 * inactivity timeout and an optional devcontainer.json. A refusal (policy, quota, invalid input) is shown next to the field it names;
 * on success the workspace page takes over and shows the progress.
 */
import { ApiError, type Api, type FieldProblem } from './api';
import { alertProblem, announce } from './feedback';
import { configPicker } from './config-picker';
import { field, h, setFieldError, setText, type Field } from './dom';
import { duration } from './format';
import type { Provider, View } from './types';

// Problems go next to the fields they name. The API names fields by where they came from
// (`body.name`, `json.source.image`, the listing's `query.git`) or by what the policy judged (`image`, `devcontainer.mounts`,
// `inactivityTimeout`); anything else is shown for the whole form.

/** The create form's fields, by the key the form uses. */
export type CreateField = 'name' | 'provider' | 'image' | 'gitUrl' | 'gitRef' | 'config' | 'timeout' | 'devcontainer';

const RULES: [RegExp, CreateField][] = [
  [/^name$/, 'name'],
  [/^provider$/, 'provider'],
  [/^(source\.)?image$/, 'image'],
  [/^(source\.)?git(\.url)?$/, 'gitUrl'],
  [/^((source\.)?git\.)?ref$/, 'gitRef'],
  [/^devcontainerPath$/, 'config'],
  [/^path\.name$/, 'provider'],
  [/^source$/, 'image'],
  [/^inactivityTimeout/, 'timeout'],
  [/^(devcontainer|mounts|runArgs|privileged|capAdd|securityOpt|build)/, 'devcontainer'],
];

/** The form field a problem names, or undefined for a problem of the whole request. */
export function fieldOf(problemField: string): CreateField | undefined {
  const f = problemField.replace(/^(body|json|query)\./, '');
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

/**
 * The API wants a devcontainer.json to name its image even when the source is one; the Image field
 * already says which, so plain JSON without image, build or compose gets it. JSONC (comments) is sent
 * as written.
 */
function withImage(text: string, image: string): string | Record<string, unknown> {
  if (!image) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
    const o = parsed as Record<string, unknown>;
    return 'image' in o || 'build' in o || 'dockerComposeFile' in o ? o : { image, ...o };
  } catch {
    return text;
  }
}

/** The create page (`#/new`). */
export function createView(api: Api): View {
  const base = {
    name: field('Name', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'Optional. Lowercase letters, digits and "-"; derived from the source when empty.'),
    provider: field('Provider', h('select', { required: true }, h('option', { value: '' }, 'Loading providers…'))),
    image: field('Image', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'mcr.microsoft.com/devcontainers/base:debian' }), 'An image reference, or leave empty and give a Git URL.'),
    gitUrl: field('Git URL', h('input', { type: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://github.com/org/repo.git' })),
    gitRef: field('Git ref', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'Optional branch, tag or commit.'),
    timeout: field('Inactivity timeout', h('input', { type: 'text', autocomplete: 'off', placeholder: '30m' }), 'Optional: seconds or a duration (90s, 30m, 1h); 0 = never. Empty = the provider\'s.'),
    devcontainer: field('devcontainer.json', h('textarea', { rows: '5', spellcheck: 'false', placeholder: '{ "postCreateCommand": "make setup" }' }), 'Optional JSONC, used as the workspace\'s devcontainer.json.'),
  };
  const picker = configPicker(api, {
    provider: () => base.provider.control.value.trim(),
    gitUrl: () => base.gitUrl.control.value.trim(),
    gitRef: () => base.gitRef.control.value.trim(),
    fieldOf: (name) => { const k = fieldOf(name); return k ? f[k] : undefined; },
    watch: [base.provider.control, base.gitUrl.control, base.gitRef.control],
  });
  const f: Record<CreateField, Field<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>> = { ...base, config: picker.field };
  const formError = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create');
  const heading = h('h1', { tabindex: '-1' }, 'New workspace');
  const providerHint = h('p', { class: 'hint', id: 'provider-info' });
  f.provider.wrap.appendChild(providerHint);
  // One key per form: a double submit or a retry after a lost answer returns the same workspace.
  let idempotencyKey = crypto.randomUUID();
  let providers: Provider[] = [];

  const describeProvider = () => {
    const p = providers.find((x) => x.name === f.provider.control.value);
    const max = p?.policy?.maxInactivityTimeoutSeconds;
    setText(providerHint, p ? `${p.driver}; idle stop after ${p.inactivityTimeoutSeconds ? duration(p.inactivityTimeoutSeconds) : 'never'}${max ? `, at most ${duration(max)}` : ''}.` : '');
  };
  f.provider.control.addEventListener('change', describeProvider);

  void api.providers().then(({ items }) => {
    providers = items;
    const select = f.provider.control as HTMLSelectElement;
    select.replaceChildren(...(items.length ? items.map((p) => h('option', { value: p.name }, p.description ? `${p.name} — ${p.description}` : p.name)) : [h('option', { value: '' }, 'No providers: ask an admin to add one')]));
    describeProvider();
  }).catch((err: unknown) => setFieldError(f.provider, err instanceof Error ? err.message : String(err)));

  const clear = () => {
    for (const x of Object.values(f)) setFieldError(x, undefined);
    formError.hidden = true;
    alertProblem(undefined);
  };

  const body = (): Record<string, unknown> | undefined => {
    const v = (k: CreateField) => f[k].control.value.trim();
    if (!v('image') && !v('gitUrl')) {
      setFieldError(f.image, 'Give an image or a Git URL.');
      f.image.control.focus();
      return undefined;
    }
    if (v('image') && v('gitUrl')) {
      setFieldError(f.gitUrl, 'Give either an image or a Git URL, not both.');
      f.gitUrl.control.focus();
      return undefined;
    }
    const timeout = v('timeout');
    const config = v('gitUrl') ? picker.value() : undefined;
    return {
      provider: v('provider'),
      ...(v('name') ? { name: v('name') } : {}),
      source: v('image') ? { image: v('image') } : { git: { url: v('gitUrl'), ...(v('gitRef') ? { ref: v('gitRef') } : {}) } },
      ...(config ? { devcontainerPath: config } : {}),
      ...(timeout ? { inactivityTimeout: /^\d+$/.test(timeout) ? Number(timeout) : timeout } : {}),
      ...(v('devcontainer') ? { devcontainer: withImage(f.devcontainer.control.value, v('image')) } : {}),
    };
  };

  const showProblem = (err: ApiError) => {
    const { byField, form } = groupProblems(err.errors);
    let first: HTMLElement | undefined;
    for (const [key, messages] of byField) {
      setFieldError(f[key], messages.join(' '));
      first ??= f[key].control;
    }
    if (form.length || !byField.size) {
      formError.hidden = false;
      setText(formError, [`${err.message}`, ...form].join(' — '));
    }
    (first ?? submit).focus();
  };

  const form = h('form', { class: 'card create', novalidate: true, 'aria-labelledby': 'create-title' },
    f.name.wrap, f.provider.wrap,
    h('fieldset', {}, h('legend', {}, 'Source'), f.image.wrap, f.gitUrl.wrap, f.gitRef.wrap, f.config.wrap),
    f.timeout.wrap, f.devcontainer.wrap, formError,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/', class: 'button secondary' }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear();
    const b = body();
    if (!b) return;
    submit.disabled = true;
    try {
      const ws = await api.create(b, idempotencyKey);
      announce(`Creating ${ws.name}`);
      location.hash = `#/workspaces/${ws.id}`;
    } catch (err) {
      if (err instanceof ApiError) {
        // A refused request created nothing: a corrected one is a new request with a new key.
        if (err.status >= 400 && err.status < 500 && err.status !== 409) idempotencyKey = crypto.randomUUID();
        showProblem(err);
      } else throw err;
    } finally {
      submit.disabled = false;
    }
  });
  heading.id = 'create-title';
  return { el: h('section', {}, heading, form), focus: heading, dispose: () => picker.dispose() };
}
