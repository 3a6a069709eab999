import type { Schema } from './openapi-schemas';

/**
 * Protocol-buffer encoding of a Swagger 2.0 document as gnostic's `openapi.v2.Document`, what kubectl before 1.27 asks
 * for (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) to validate manifests and to explain.
 * Field numbers are those of gnostic's OpenAPIv2.proto; only the fields the served documents use are written.
 */
export const OPENAPI_V2_PROTO = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** The Content-Type of the answer: `@` is not allowed in a media type, so the server writes it with a dot. */
export const OPENAPI_V2_PROTO_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

class Writer {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = n;
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
  }

  bytes(field: number, data: Buffer): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.parts.push(data);
    return this;
  }

  string(field: number, s: unknown): this {
    return typeof s === 'string' && s !== '' ? this.bytes(field, Buffer.from(s, 'utf8')) : this;
  }

  strings(field: number, list: unknown): this {
    for (const s of Array.isArray(list) ? list : []) this.string(field, s);
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b === true) {
      this.varint(field << 3);
      this.varint(1);
    }
    return this;
  }

  message(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytes(field, w.done());
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** `repeated NamedAny vendor_extension`: each `x-` key with its value as YAML (JSON is YAML) in `Any.yaml`. */
function extensions(w: Writer, field: number, obj: Schema): void {
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('x-')) w.message(field, (n) => n.string(1, k).message(2, (a) => a.string(2, JSON.stringify(v))));
  }
}

function schema(w: Writer, s: Schema): void {
  w.string(1, s.$ref).string(2, s.format).string(4, s.description).strings(19, s.required);
  for (const e of Array.isArray(s.enum) ? s.enum : []) w.message(20, (a) => a.string(2, JSON.stringify(e)));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') w.message(21, (a) => a.message(1, (x) => schema(x, s.additionalProperties)));
  if (s.type) w.message(22, (t) => t.string(1, s.type));
  if (s.items) w.message(23, (i) => i.message(1, (x) => schema(x, s.items)));
  for (const part of Array.isArray(s.allOf) ? s.allOf : []) w.message(24, (x) => schema(x, part));
  if (s.properties) {
    w.message(25, (p) => {
      for (const [name, value] of Object.entries(s.properties as Record<string, Schema>)) p.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, value)));
    });
  }
  extensions(w, 31, s);
}

function parameter(w: Writer, p: Schema): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required).message(5, (x) => schema(x, p.schema)));
      return;
    }
    // NonBodyParameter: 3 = query, 4 = path sub-schema (path parameters carry no allow_empty_value, so `type` is 5, not 6).
    const [which, typeField] = p.in === 'path' ? [4, 5] : [3, 6];
    param.message(2, (nb) => nb.message(which, (q) => q.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name).string(typeField, p.type)));
  });
}

function operation(w: Writer, op: Schema): void {
  w.strings(1, op.tags).string(3, op.description).string(5, op.operationId).strings(6, op.produces).strings(7, op.consumes);
  for (const p of op.parameters ?? []) w.message(8, (item) => parameter(item, p));
  w.message(9, (rs) => {
    for (const [code, r] of Object.entries((op.responses ?? {}) as Record<string, Schema>)) {
      rs.message(1, (n) => n.string(1, code).message(2, (v) => v.message(1, (resp) => {
        resp.string(1, r.description);
        if (r.schema) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema)));
      })));
    }
  });
  w.strings(10, op.schemes);
  extensions(w, 13, op);
}

const VERBS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

/** Encodes a Swagger 2.0 document (as {@link openApiV2} builds it) in gnostic's protobuf form. */
export function encodeOpenApiV2(doc: Schema): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger).message(2, (i) => i.string(1, doc.info?.title).string(2, doc.info?.version));
  w.message(8, (paths) => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
      paths.message(2, (n) => n.string(1, path).message(2, (pi) => {
        for (const [verb, field] of Object.entries(VERBS)) if (item[verb]) pi.message(field, (op) => operation(op, item[verb]));
        for (const p of item.parameters ?? []) pi.message(9, (x) => parameter(x, p));
      }));
    }
  });
  w.message(9, (defs) => {
    for (const [name, s] of Object.entries(doc.definitions as Record<string, Schema>)) defs.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s)));
  });
  return w.done();
}
