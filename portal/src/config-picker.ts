/**
 * The create form's "Dev container config" field: Find configs asks the provider's engine for the
 * devcontainer.json files of the Git URL (+ ref) given above, in the spec's search order, and offers
 * them in a select with the default pre-selected; the chosen path is the request's devcontainerPath.
 */
import { ApiError, type Api } from './api';
import { field, h, setFieldError, setText, type Field } from './dom';
import type { ConfigListing } from './types';

/**
 * The API stops a listing after 60 s; this leaves room for the answer and the way back. A gateway in
 * front (API Gateway waits 30 s) may give up first: that is a 504 without a problem body.
 */
const CLIENT_LIMIT_MS = 90_000;

/** The inputs the listing reads, and where a problem about one of them is shown. */
export interface PickerInputs {
  provider: () => string;
  gitUrl: () => string;
  gitRef: () => string;
  /** The field a problem's `field` names (`query.git` is the Git URL), if the form has it. */
  fieldOf: (problemField: string) => Field<HTMLElement> | undefined;
  /** Fields whose edit makes a listing stale. */
  watch: HTMLElement[];
}

/** The config field of the create form. */
export interface ConfigPicker {
  field: Field<HTMLSelectElement>;
  /** The chosen path, or undefined for "the API's default" (nothing listed, or the placeholder). */
  value(): string | undefined;
  /** Abandons a listing in flight (the page is left). */
  dispose(): void;
}

const BEFORE = 'The default: the spec\'s search order';

/** What the select shows for one listed config. */
export function optionText(item: { path: string; name?: string }, isDefault: boolean): string {
  return `${item.name ? `${item.name} — ${item.path}` : item.path}${isDefault ? ' (default)' : ''}`;
}

/** What a person refused by the provider's policy can do (the API names the rule, not the way out). */
function policyAdvice(gitUrl: boolean): string {
  return gitUrl ? 'Use a repository the provider allows, or ask an admin to allow this one.' : 'Ask an admin if you need it.';
}

const labelOf = (target: Field<HTMLElement>) => target.wrap.querySelector('label')?.textContent ?? 'the form';

/** Builds the field; listing starts only when the person presses Find configs (it starts a helper). */
export function configPicker(api: Api, inputs: PickerInputs): ConfigPicker {
  const select = h('select', {}, h('option', { value: '' }, BEFORE));
  const f = field('Dev container config', select, 'For a Git URL: Find configs lists its devcontainer.json files (the provider clones it, which can take a few seconds).');
  const find = h('button', { type: 'button', class: 'secondary' }, 'Find configs');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel listing');
  // Polite and without role=status: the page's own announcer keeps that role, and progress is not urgent.
  const status = h('p', { class: 'hint', 'aria-live': 'polite', id: `${select.id}-status` });
  select.setAttribute('aria-describedby', `${select.getAttribute('aria-describedby')} ${status.id}`);
  const row = h('div', { class: 'actions' });
  select.replaceWith(row);
  row.append(select, find, cancel);
  f.wrap.appendChild(status);

  let inFlight: AbortController | undefined;
  let touched: Field<HTMLElement>[] = [];
  /** The select holds a listing (for the source as it was when listed). */
  let listed = false;

  /** Drops the listing in flight; its answer, when it comes, is ignored (the newer state is on screen). */
  const abandon = () => {
    inFlight?.abort(new Error('the listing was abandoned'));
    inFlight = undefined;
  };

  const reset = (message: string) => {
    abandon();
    listed = false;
    select.replaceChildren(h('option', { value: '' }, BEFORE));
    setText(status, message);
  };

  const busy = (on: boolean) => {
    // The pressed button is disabled (or hidden) now: keyboard focus moves on rather than to the page.
    const hadFocus = document.activeElement === (on ? find : cancel);
    find.disabled = on;
    cancel.hidden = !on;
    select.disabled = on;
    if (on) select.setAttribute('aria-busy', 'true');
    else select.removeAttribute('aria-busy');
    setText(find, on ? 'Finding configs…' : 'Find configs');
    if (hadFocus) (on ? cancel : select).focus();
  };

  const show = (listing: ConfigListing) => {
    const { items } = listing;
    const options = items.map((i) => h('option', { value: i.path }, optionText(i, i.path === listing.default)));
    if (!items.length) options.push(h('option', { value: '' }, 'No devcontainer.json found: the provider\'s defaults'));
    else if (!listing.default) options.unshift(h('option', { value: '' }, 'Choose a config…'));
    select.replaceChildren(...options);
    listed = true;
    select.value = listing.default ?? '';
    const count = `${items.length} config${items.length === 1 ? '' : 's'} found${listing.truncated ? ' (only the first ones are listed)' : ''}`;
    setText(status, !items.length ? 'No dev container config found in this repository.'
      : listing.default ? `${count}; the default is selected.` : `${count}, and no default: choose one.`);
  };

  const fail = (err: unknown) => {
    const e = err instanceof ApiError ? err : new ApiError(0, 'internal', err instanceof Error ? err.message : String(err));
    const gateway = e.status === 504 || (e.status === 503 && !e.errors.length && e.code.startsWith('http.'));
    const detail = gateway ? `listing took longer than the gateway waits (HTTP ${e.status}); try again, or create without choosing to use the default` : e.message;
    // A policy refusal is no typo: the API says which rule and why, the person also needs to hear what they can do.
    const denied = e.code === 'policy.denied';
    const gitField = inputs.fieldOf('source.git.url');
    let first: Field<HTMLElement> | undefined;
    const messages = new Map<Field<HTMLElement>, string[]>();
    for (const p of e.errors) {
      const target = inputs.fieldOf(p.field) ?? f;
      const hint = p.hint ?? (denied ? policyAdvice(target === gitField) : undefined);
      const text = `${denied ? 'Not allowed by this provider\'s policy: ' : ''}${p.message}${hint ? `. ${hint}` : ''}`;
      messages.set(target, [...(messages.get(target) ?? []), text]);
    }
    if (!messages.size) messages.set(f, [detail]);
    for (const [target, m] of messages) {
      setFieldError(target, m.join(' '));
      first ??= target;
    }
    touched = [...messages.keys()];
    const code = e.status ? ` (HTTP ${e.status})` : '';
    // The live region says what happened, so it is heard although focus moves to the field.
    setText(status, denied && first
      ? `Listing refused${code}: the provider's policy does not allow ${first === gitField ? 'this repository' : 'it'}; see ${labelOf(first)}.`
      : `Listing failed${code}.`);
    first?.control.focus();
  };

  find.addEventListener('click', async () => {
    for (const t of touched) setFieldError(t, undefined);
    setFieldError(f, undefined);
    touched = [];
    const [provider, git, ref] = [inputs.provider(), inputs.gitUrl(), inputs.gitRef()];
    const missing = !provider ? inputs.fieldOf('provider') : !git ? inputs.fieldOf('source.git.url') : undefined;
    if (missing) {
      setFieldError(missing, !provider ? 'Pick a provider to list configs with.' : 'Give a Git URL to list its configs.');
      touched = [missing];
      missing.control.focus();
      return;
    }
    reset('Listing the repository\'s configs…');
    const ctl = new AbortController();
    inFlight = ctl;
    const timer = window.setTimeout(() => ctl.abort(new Error(`no answer within ${CLIENT_LIMIT_MS / 1000} s; try again`)), CLIENT_LIMIT_MS);
    busy(true);
    let outcome: { listing: ConfigListing } | { err: unknown };
    try {
      outcome = { listing: await api.configs(provider, git, ref || undefined, ctl.signal) };
    } catch (err) {
      outcome = { err };
    }
    window.clearTimeout(timer);
    if (inFlight !== ctl) return;
    inFlight = undefined;
    busy(false);
    if ('listing' in outcome) show(outcome.listing);
    else fail(outcome.err);
  });
  cancel.addEventListener('click', () => {
    abandon();
    busy(false);
    setText(status, 'Listing cancelled.');
    find.focus();
  });
  // A list for another repository, ref or provider would offer paths that may not exist there.
  for (const el of inputs.watch) {
    el.addEventListener(el instanceof HTMLSelectElement ? 'change' : 'input', () => {
      if (!inFlight && !listed) return;
      const wasBusy = !!inFlight;
      reset('The source changed: find configs again to choose one.');
      if (wasBusy) busy(false);
    });
  }

  return {
    field: f,
    value: () => select.value || undefined,
    dispose: abandon,
  };
}
