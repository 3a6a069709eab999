/** One option of a Feature, as its devcontainer-feature.json declares it. */
export interface FeatureOption {
  type?: 'string' | 'boolean';
  default?: string | boolean;
  enum?: string[];
  proposals?: string[];
  description?: string;
}

/**
 * A Feature's `devcontainer-feature.json` (the parts workbay reads; the whole object is kept as the
 * Feature's metadata entry in the image label).
 */
export interface FeatureMetadata {
  id: string;
  version?: string;
  name?: string;
  options?: Record<string, FeatureOption>;
  containerEnv?: Record<string, string>;
  /** Hard dependencies: Feature reference -> options. */
  dependsOn?: Record<string, unknown>;
  /** Soft ordering: Feature ids (without version) to install after, when present. */
  installsAfter?: string[];
  legacyIds?: string[];
  [key: string]: unknown;
}

/** Where a Feature comes from. */
export type FeatureSource =
  | { kind: 'local'; /** Path inside the workspace source, normalised, relative to its root. */ path: string }
  | { kind: 'oci'; registry: string; repository: string; /** Tag or `sha256:` digest. */ reference: string }
  | { kind: 'tarball'; url: string };

/** A parsed Feature reference from devcontainer.json's `features`. */
export interface FeatureRef {
  /** As written in devcontainer.json. */
  written: string;
  source: FeatureSource;
  /** The id without version, used by installsAfter and overrideFeatureInstallOrder. */
  canonical: string;
}

/** A Feature's files: relative path -> content and mode. */
export type FeatureFiles = Map<string, { content: Buffer; mode: number }>;

/** A Feature ready to install: its files, its metadata and the option values as environment. */
export interface ResolvedFeature {
  ref: FeatureRef;
  metadata: FeatureMetadata;
  files: FeatureFiles;
  /** Upper-cased option names -> values, defaults included. */
  env: Record<string, string>;
}

/** How a Feature's bytes are had, per source kind (the driver supplies local reads). */
export interface FeatureLoaders {
  /** Reads a folder of the workspace source; undefined when it does not exist. */
  local?(path: string): Promise<FeatureFiles | undefined>;
  /** Registry credentials for OCI Features, by registry host (already fetched from secret references). */
  credentials?: Record<string, { username: string; password: string }>;
  /**
   * Registry credentials by host, fetched when a registry is first called (the provider's
   * `workbay.registries`, resolved from secret references); undefined = anonymous. Wins over `credentials`.
   */
  credentialsFor?(registry: string): Promise<{ username: string; password: string } | undefined>;
  /** For tests and proxies; default global fetch. */
  fetch?: typeof fetch;
}
