import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RESOURCES, type ResourceDef } from './resources';

/** An OpenAPI schema object (the subset the Kubernetes documents use). */
export type Schema = Record<string, any>;

/** Component schemas by their Kubernetes definition name (`io.k8s.api.core.v1.Pod`). */
export interface SchemaSet {
  schemas: Record<string, Schema>;
  /** The definition name of each served kind, by `<group>/<kind>`. */
  roots: Map<string, string>;
}

const NAME_PREFIXES: Array<[string, string]> = [
  ['IoK8sApiCoreV1', 'io.k8s.api.core.v1.'],
  ['IoK8sApiRbacV1', 'io.k8s.api.rbac.v1.'],
  ['IoK8sApimachineryPkgApisMetaV1', 'io.k8s.apimachinery.pkg.apis.meta.v1.'],
  ['IoK8sApimachineryPkgApiResource', 'io.k8s.apimachinery.pkg.api.resource.'],
  ['IoK8sApimachineryPkgUtilIntstr', 'io.k8s.apimachinery.pkg.util.intstr.'],
  ['IoK8sApimachineryPkgRuntime', 'io.k8s.apimachinery.pkg.runtime.'],
];

/** `IIoK8sApiCoreV1PodSpec` (the models' exported alias) → `io.k8s.api.core.v1.PodSpec`. */
function definitionName(alias: string): string {
  const bare = alias.replace(/^I/, '');
  const hit = NAME_PREFIXES.find(([p]) => bare.startsWith(p));
  return hit ? hit[1] + bare.slice(hit[0].length) : bare;
}

function packageRoots(): { models: string; machinery: string } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const models = join(dir, 'node_modules', 'kubernetes-models');
    if (!existsSync(models)) continue;
    const nested = join(models, 'node_modules', '@kubernetes-models', 'apimachinery');
    return { models, machinery: existsSync(nested) ? nested : join(dir, 'node_modules', '@kubernetes-models', 'apimachinery') };
  }
  throw new Error('kube-sim: the kubernetes-models package is not installed (npm ci)');
}

interface ParsedFile {
  imports: Map<string, string>;
  /** Exported alias (`IIoK8sApiCoreV1Pod`) → local declaration. */
  declarations: Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>;
}

/** Turns the kubernetes-models type declarations (.d.ts) back into the OpenAPI schemas they were generated from. */
class SchemaBuilder {
  private readonly files = new Map<string, ParsedFile>();
  readonly schemas: Record<string, Schema> = {};

  constructor(private readonly machinery: string) {}

  private parse(path: string): ParsedFile {
    const cached = this.files.get(path);
    if (cached) return cached;
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const imports = new Map<string, string>();
    const locals = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
    const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
    for (const st of source.statements) {
      if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
        const from = (st.moduleSpecifier as ts.StringLiteral).text;
        for (const el of st.importClause.namedBindings.elements) imports.set(el.name.text, this.modulePath(path, from));
      } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        locals.set(st.name.text, st);
      } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const local = locals.get((el.propertyName ?? el.name).text);
          if (local) declarations.set(el.name.text, local);
        }
      }
    }
    const parsed = { imports, declarations };
    this.files.set(path, parsed);
    return parsed;
  }

  private modulePath(from: string, spec: string): string {
    if (spec.startsWith('.')) return resolve(dirname(from), spec.replace(/\.js$/, '.d.ts'));
    if (spec.startsWith('@kubernetes-models/apimachinery/')) return join(this.machinery, `${spec.slice('@kubernetes-models/apimachinery/'.length)}.d.ts`);
    return spec;
  }

  /** Adds the definition exported as `alias` from `file` (and everything it references); returns its name. */
  define(file: string, alias: string): string {
    const name = definitionName(alias);
    if (this.schemas[name]) return name;
    const decl = this.parse(file).declarations.get(alias);
    if (!decl) throw new Error(`kube-sim: ${alias} not found in ${file}`);
    this.schemas[name] = {};
    const schema = ts.isInterfaceDeclaration(decl) ? this.objectSchema(file, decl.members) : this.typeSchema(file, decl.type);
    const description = docOf(decl);
    Object.assign(this.schemas[name], description ? { description } : {}, schema);
    return name;
  }

  private objectSchema(file: string, members: ts.NodeArray<ts.TypeElement>): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let additional: Schema | undefined;
    for (const m of members) {
      if (ts.isIndexSignatureDeclaration(m)) additional = this.typeSchema(file, m.type);
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const key = ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : m.name.getText();
      const prop = this.typeSchema(file, m.type);
      const description = docOf(m);
      properties[key] = prop.$ref ? { allOf: [prop], ...(description ? { description } : {}) } : { ...(description ? { description } : {}), ...prop };
      if (!m.questionToken && key !== 'apiVersion' && key !== 'kind') required.push(key);
    }
    if (additional) return { type: 'object', additionalProperties: additional };
    const out: Schema = { type: 'object' };
    if (Object.keys(properties).length) out.properties = properties;
    if (required.length) out.required = required;
    return out;
  }

  private typeSchema(file: string, node: ts.TypeNode): Schema {
    if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
    if (node.kind === ts.SyntaxKind.NumberKeyword) return { type: 'integer' };
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string', enum: [node.literal.text] };
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(file, node.type);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(file, node.elementType) };
    if (ts.isTypeLiteralNode(node)) return this.objectSchema(file, node.members);
    if (ts.isUnionTypeNode(node)) {
      const parts = node.types.map((t) => this.typeSchema(file, t));
      if (parts.every((p) => p.enum)) return { type: 'string', enum: parts.flatMap((p) => p.enum) };
      // number | string: IntOrString and Quantity, which the API documents as strings.
      return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const ref = node.typeName.text;
      if (ref === 'Array' && node.typeArguments?.[0]) return { type: 'array', items: this.typeSchema(file, node.typeArguments[0]) };
      const target = this.parse(file).imports.get(ref);
      if (target) return { $ref: `#/components/schemas/${this.define(target, ref)}` };
    }
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function docOf(node: ts.Node): string | undefined {
  const doc = (node as { jsDoc?: Array<{ comment?: string | ts.NodeArray<ts.JSDocComment> }> }).jsDoc?.[0]?.comment;
  return typeof doc === 'string' ? doc : undefined;
}

function kindFile(models: string, def: ResourceDef, kind: string): string {
  return join(models, def.group === '' ? 'v1' : join(def.group, def.version), `${kind}.d.ts`);
}

function aliasOf(def: ResourceDef, kind: string): string {
  return `IIoK8sApi${def.group === '' ? 'Core' : 'Rbac'}V1${kind}`;
}

/**
 * The strategic-merge-patch metadata the .d.ts files do not carry (`patchMergeKey`/`patchStrategy` struct tags of the
 * Kubernetes Go types), for the lists of the kinds served: `[mergeKey, strategy]` per definition and field.
 */
const PATCH_META: Record<string, Record<string, [string | undefined, string]>> = {
  'io.k8s.api.core.v1.PodSpec': {
    containers: ['name', 'merge'], initContainers: ['name', 'merge'], ephemeralContainers: ['name', 'merge'],
    volumes: ['name', 'merge,retainKeys'], imagePullSecrets: ['name', 'merge'], hostAliases: ['ip', 'merge'],
    topologySpreadConstraints: ['topologyKey', 'merge'], resourceClaims: ['name', 'merge,retainKeys'], schedulingGates: ['name', 'merge'],
  },
  'io.k8s.api.core.v1.Container': { env: ['name', 'merge'], ports: ['containerPort', 'merge'], volumeMounts: ['mountPath', 'merge'], volumeDevices: ['devicePath', 'merge'] },
  'io.k8s.api.core.v1.EphemeralContainer': { env: ['name', 'merge'], ports: ['containerPort', 'merge'], volumeMounts: ['mountPath', 'merge'], volumeDevices: ['devicePath', 'merge'] },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { finalizers: [undefined, 'merge'], ownerReferences: ['uid', 'merge'] },
  'io.k8s.api.core.v1.PodStatus': { conditions: ['type', 'merge'], podIPs: ['ip', 'merge'] },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': { conditions: ['type', 'merge'] },
  'io.k8s.api.core.v1.NamespaceStatus': { conditions: ['type', 'merge'] },
  'io.k8s.api.core.v1.NodeStatus': { addresses: ['type', 'merge'], conditions: ['type', 'merge'] },
  'io.k8s.api.core.v1.ServiceAccount': { secrets: ['name', 'merge'] },
};

function addPatchMeta(schemas: Record<string, Schema>): void {
  for (const [definition, fields] of Object.entries(PATCH_META)) {
    for (const [field, [key, strategy]] of Object.entries(fields)) {
      const prop = schemas[definition]?.properties?.[field];
      if (!prop) continue;
      if (key) prop['x-kubernetes-patch-merge-key'] = key;
      prop['x-kubernetes-patch-strategy'] = strategy;
    }
  }
}

let cached: SchemaSet | undefined;

/** The schemas of every served kind and its list, plus Status and DeleteOptions; built once per process. */
export function schemaSet(): SchemaSet {
  if (cached) return cached;
  const { models, machinery } = packageRoots();
  const b = new SchemaBuilder(machinery);
  const roots = new Map<string, string>();
  for (const def of RESOURCES) {
    for (const kind of [def.kind, `${def.kind}List`]) {
      const name = b.define(kindFile(models, def, kind), aliasOf(def, kind));
      b.schemas[name]!['x-kubernetes-group-version-kind'] = [{ group: def.group, kind, version: def.version }];
      if (kind === def.kind) roots.set(`${def.group}/${kind}`, name);
    }
  }
  for (const meta of ['Status', 'DeleteOptions']) b.define(join(machinery, 'apis', 'meta', 'v1', `${meta}.d.ts`), `IIoK8sApimachineryPkgApisMetaV1${meta}`);
  addPatchMeta(b.schemas);
  cached = { schemas: b.schemas, roots };
  return cached;
}

/** Follows `$ref` (plain or wrapped in `allOf`, as the v3 documents write field references) to the schema it names. */
export function resolveSchema(schema: Schema | undefined): Schema | undefined {
  const { schemas } = schemaSet();
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    const ref: string | undefined = s.$ref ?? s.allOf?.[0]?.$ref;
    if (!ref) return s;
    s = schemas[ref.slice(ref.lastIndexOf('/') + 1)];
  }
  return s;
}

/** The schema of a served kind. */
export function rootSchema(def: ResourceDef): Schema {
  const { schemas, roots } = schemaSet();
  return schemas[roots.get(`${def.group}/${def.kind}`)!]!;
}
