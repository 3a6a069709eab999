/**
 * The one way the portal makes elements. Text always goes in as text nodes and attributes through
 * setAttribute, so a workspace name or an event message from the API can never become markup.
 */

/** What may be a child: nodes and strings (as text); falsy values are skipped. */
export type Child = Node | string | number | null | undefined | false;

/** Attributes (strings, booleans for presence) and event handlers (`onclick`, `onsubmit`, …). */
export type Props = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** Creates `<tag>` with attributes, handlers and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children, strings as text nodes. */
export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, ...children);
}

/** Sets an element's text, only when it changed (so screen readers and selections are left alone). */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A labelled form field: label, control, hint and a slot for the problem the API names it in. */
export interface Field<T extends HTMLElement> {
  wrap: HTMLDivElement;
  control: T;
  error: HTMLParagraphElement;
}

let fieldSeq = 0;

/** Wraps `control` with its label, an optional hint and an error slot tied by aria-describedby. */
export function field<T extends HTMLElement>(label: string, control: T, hint?: string): Field<T> {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : undefined;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, error);
  return { wrap, control, error };
}

/** Shows (or clears, with undefined) the problem next to a field. */
export function setFieldError(f: Field<HTMLElement>, message: string | undefined): void {
  f.error.hidden = !message;
  setText(f.error, message ?? '');
  if (message) f.control.setAttribute('aria-invalid', 'true');
  else f.control.removeAttribute('aria-invalid');
}
