/**
 * Compares the JSON schema with the model's TypeScript types, read by the TypeScript compiler
 * itself: every object's properties and required fields, every enum, every array's items, and
 * the per-kind rules of a node (the `allOf` conditionals against the members of the
 * `GraphNode` union). Returns one line per disagreement; none means no drift.
 */
import { join } from 'node:path';
import ts from 'typescript';

type Schema = Record<string, any>;

/** The model's types as the compiler sees them, and a comparison of a schema against them. */
export class ModelTypes {
  readonly #checker: ts.TypeChecker;
  readonly #exports: Map<string, ts.Symbol>;

  constructor(root: string) {
    const file = join(root, 'src', 'model.ts');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: [],
    });
    this.#checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    const module = source && this.#checker.getSymbolAtLocation(source);
    if (!module) throw new Error('cannot read src/model.ts');
    this.#exports = new Map(this.#checker.getExportsOfModule(module).map((s) => [s.name, s] as const));
  }

  /** The declared type of an exported interface or type alias of model.ts. */
  type(name: string): ts.Type {
    let symbol = this.#exports.get(name);
    if (!symbol) throw new Error(`model.ts exports no ${name}`);
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.#checker.getAliasedSymbol(symbol);
    return this.#checker.getDeclaredTypeOfSymbol(symbol);
  }

  /** Every disagreement between `schema` (the root, for `$ref`s) and the type `name`. */
  compare(schema: Schema, name: string): string[] {
    const problems: string[] = [];
    this.#check(schema, schema, this.type(name), '#', problems);
    return problems;
  }

  /** Own properties of an object type: name → { optional, type without undefined }; `never` ones left out. */
  fields(type: ts.Type): Map<string, { optional: boolean; type: ts.Type }> {
    const out = new Map<string, { optional: boolean; type: ts.Type }>();
    for (const symbol of this.#checker.getPropertiesOfType(type)) {
      const declared = this.#checker.getTypeOfSymbol(symbol);
      // `unknown` minus undefined is `{}`: keep it `unknown` (any JSON value).
      const t = declared.flags & ts.TypeFlags.Unknown ? declared : this.#checker.getNonNullableType(declared);
      if (t.flags & ts.TypeFlags.Never) continue;
      out.set(symbol.name, { optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0, type: t });
    }
    return out;
  }

  /**
   * The values of a union of literals (`'a' | 'b'`, `1`), else undefined. An open kind
   * (`VerdictKind | NewerKind`: any string read, the known ones listed) counts as its literals:
   * the schema lists what this version writes.
   */
  literals(type: ts.Type): Array<string | number> | undefined {
    const members = (type.isUnion() ? type.types : [type]).filter((m) => !(m.isIntersection() && m.types.some((t) => t.flags & ts.TypeFlags.String)));
    if (type.flags & ts.TypeFlags.Boolean) return undefined;
    if (!members.every((m) => m.isStringLiteral() || m.isNumberLiteral())) return undefined;
    return members.map((m) => (m as ts.LiteralType).value as string | number);
  }

  #check(root: Schema, schema: Schema, type: ts.Type, path: string, problems: string[]): void {
    const s = deref(root, schema);
    const c = this.#checker;
    const literals = this.literals(type);
    if (literals) {
      const allowed = 'const' in s ? [s.const] : (s.enum as unknown[] | undefined);
      if (!allowed || !sameSet(allowed, literals)) problems.push(`${path}: schema allows ${JSON.stringify(allowed)}, model ${JSON.stringify(literals)}`);
      return;
    }
    if (type.flags & ts.TypeFlags.Unknown) {
      if ('type' in s) problems.push(`${path}: model says any JSON value, schema says ${s.type}`);
      return;
    }
    const primitive = type.flags & ts.TypeFlags.String ? 'string' : type.flags & ts.TypeFlags.Number ? 'number' : type.flags & ts.TypeFlags.Boolean ? 'boolean' : undefined;
    if (primitive) {
      const ok = s.type === primitive || (primitive === 'number' && s.type === 'integer');
      if (!ok) problems.push(`${path}: schema type ${JSON.stringify(s.type)}, model ${primitive}`);
      return;
    }
    if (type.isUnion() && type.types.every((m) => m.flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.BooleanLiteral))) {
      const model = [...new Set(type.types.map((m) => (m.flags & ts.TypeFlags.String ? 'string' : m.flags & ts.TypeFlags.Number ? 'number' : 'boolean')))];
      const schemaTypes = ((s.anyOf ?? []) as Schema[]).map((a) => a.type as string);
      if (!sameSet(schemaTypes, model)) problems.push(`${path}: schema anyOf ${JSON.stringify(schemaTypes)}, model ${model.join(' | ')}`);
      return;
    }
    if (c.isArrayType(type)) {
      if (s.type !== 'array') problems.push(`${path}: schema type ${JSON.stringify(s.type)}, model an array`);
      else this.#check(root, s.items, c.getTypeArguments(type as ts.TypeReference)[0]!, `${path}/items`, problems);
      return;
    }
    if (s.type !== 'object') {
      problems.push(`${path}: schema type ${JSON.stringify(s.type)}, model ${c.typeToString(type)}`);
      return;
    }
    const index = c.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index && c.getPropertiesOfType(type).length === 0) {
      this.#check(root, s.additionalProperties ?? {}, index.type, `${path}/additionalProperties`, problems);
      return;
    }
    if (type.isUnion()) this.#union(root, s, type.types, path, problems);
    else this.#object(root, s, this.fields(type), path, problems);
  }

  #object(root: Schema, s: Schema, fields: Map<string, { optional: boolean; type: ts.Type; values?: Array<string | number> }>, path: string, problems: string[]): void {
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    if (!sameSet(Object.keys(properties), [...fields.keys()])) {
      problems.push(`${path}: schema properties [${Object.keys(properties).join(', ')}], model [${[...fields.keys()].join(', ')}]`);
    }
    const required = [...fields].filter(([, f]) => !f.optional).map(([k]) => k);
    if (!sameSet((s.required ?? []) as string[], required)) {
      problems.push(`${path}: schema requires [${(s.required ?? []).join(', ')}], model [${required.join(', ')}]`);
    }
    for (const [key, field] of fields) {
      const p = properties[key];
      if (!p) continue;
      if (field.values) {
        const allowed = 'const' in p ? [p.const] : (p.enum as unknown[] | undefined);
        if (!allowed || !sameSet(allowed, field.values)) problems.push(`${path}/properties/${key}: schema allows ${JSON.stringify(allowed)}, model ${JSON.stringify(field.values)}`);
      } else this.#check(root, p, field.type, `${path}/properties/${key}`, problems);
    }
  }

  /**
   * A union of object types discriminated by `kind` (the nodes): the schema lists every
   * member's fields once, requires what every member requires, and adds per-kind rules in
   * `allOf` conditionals; each kind must see exactly its member's required fields and values.
   */
  #union(root: Schema, s: Schema, members: readonly ts.Type[], path: string, problems: string[]): void {
    const all = new Map<string, { optional: boolean; type: ts.Type; values?: Array<string | number> }>();
    const byKind = new Map<string | number, Map<string, { optional: boolean; type: ts.Type }>>();
    for (const member of members) {
      const fields = this.fields(member);
      for (const kind of this.literals(fields.get('kind')!.type) ?? []) byKind.set(kind, fields);
      for (const [key, field] of fields) {
        const seen = all.get(key);
        const everywhere = members.every((m) => this.fields(m).get(key)?.optional === false);
        // A field's values across the kinds: the union of the members' literals.
        const values = this.literals(field.type);
        const merged = values ? [...new Set([...(seen?.values ?? []), ...values])] : undefined;
        all.set(key, { optional: !everywhere, type: seen?.type ?? field.type, ...(merged ? { values: merged } : {}) });
      }
    }
    this.#object(root, s, all, path, problems);
    for (const [kind, fields] of byKind) {
      const rules = ((s.allOf ?? []) as Schema[]).filter((r) => {
        const k = r.if?.properties?.kind;
        return k && ('const' in k ? k.const === kind : (k.enum as unknown[]).includes(kind));
      });
      const required = new Set<string>((s.required ?? []) as string[]);
      for (const rule of rules) for (const key of (rule.then?.required ?? []) as string[]) required.add(key);
      const modelRequired = [...fields].filter(([, f]) => !f.optional).map(([k]) => k);
      if (!sameSet([...required], modelRequired)) {
        problems.push(`${path} (kind ${kind}): schema requires [${[...required].join(', ')}], model [${modelRequired.join(', ')}]`);
      }
      for (const [key, field] of fields) {
        const narrowed = rules.map((r) => r.then?.properties?.[key]).find(Boolean) as Schema | undefined;
        const values = this.literals(field.type);
        if (!values || key === 'kind') continue;
        const schemaValues = narrowed ? ('const' in narrowed ? [narrowed.const] : narrowed.enum) : ('const' in (s.properties[key] ?? {}) ? [s.properties[key].const] : s.properties[key]?.enum);
        if (!schemaValues || !sameSet(schemaValues, values)) {
          problems.push(`${path} (kind ${kind}) ${key}: schema allows ${JSON.stringify(schemaValues)}, model ${JSON.stringify(values)}`);
        }
      }
    }
  }
}

/** The schema a `$ref` points to (`#/$defs/x` only), or the schema itself. */
export function deref(root: Schema, schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  if (ref === undefined) return schema;
  const name = ref.replace(/^#\/\$defs\//, '');
  const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
  if (!target) throw new Error(`unresolved $ref ${ref}`);
  return target;
}

/** Every `enum` list in the schema, with its path. */
export function schemaEnums(schema: unknown, path = '#'): Array<[string, unknown[]]> {
  if (typeof schema !== 'object' || schema === null) return [];
  const out: Array<[string, unknown[]]> = [];
  for (const [key, sub] of Object.entries(schema)) {
    if (key === 'enum' && Array.isArray(sub)) out.push([path, sub]);
    else out.push(...schemaEnums(sub, `${path}/${key}`));
  }
  return out;
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
