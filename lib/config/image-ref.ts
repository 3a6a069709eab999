/**
 * The distribution reference grammar (github.com/distribution/reference, the one Docker, containerd
 * and registries use): `[domain[:port]/]path[:tag][@digest]`. Checked at the edge, so a value that is
 * not an image never reaches an engine, whose answers to such paths (redirects) broke its client.
 */
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);

/** The grammar's bound on the name part (domain and path). */
const MAX_NAME_LENGTH = 255;
/** Longer input is refused before the regular expression runs, so matching stays cheap. */
const MAX_REFERENCE_LENGTH = 512;

/** True for a valid image reference such as `ubuntu`, `ghcr.io/org/img:1.2`, `localhost:5000/x@sha256:…`. */
export function isImageReference(value: string): boolean {
  if (value.length > MAX_REFERENCE_LENGTH) return false;
  const m = REFERENCE.exec(value);
  return !!m && m[1]!.length <= MAX_NAME_LENGTH;
}

/** True when a value looks like a path on the caller's machine rather than an image. */
function looksLikePath(value: string): boolean {
  return /^(?:\.{1,2}(?:[/\\]|$)|[/\\~]|[A-Za-z]:[/\\])/.test(value);
}

/**
 * Why `value` is not an image reference, in words a user can act on; undefined when it is one.
 * A local path is answered with the way to run a folder: the control plane cannot read the caller's
 * disk, so the folder goes to a git repository and the workspace uses a git source.
 */
export function imageReferenceProblem(value: string): { message: string; hint?: string } | undefined {
  if (isImageReference(value)) return undefined;
  if (looksLikePath(value)) {
    return {
      message: `${JSON.stringify(value)} is a local path, not an image reference; the control plane runs elsewhere and cannot read your files`,
      hint: 'Push the folder to a git repository and use a git source: {"source": {"git": {"url": "https://…/repo.git"}}} (CLI: workbay up <git url>), or build and push an image and name it.',
    };
  }
  if (value !== value.toLowerCase() && isImageReference(value.toLowerCase())) {
    return { message: `${JSON.stringify(value)} is not a valid image reference: repository names must be lowercase` };
  }
  return {
    message: `${JSON.stringify(value.slice(0, 200))} is not a valid image reference`,
    hint: 'An image reference is [registry[:port]/]name[:tag][@digest], e.g. mcr.microsoft.com/devcontainers/base:ubuntu.',
  };
}
