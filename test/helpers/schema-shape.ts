/**
 * Reads an action's request schema (a `zod/mini` schema, as `main.actions` exposes it) into a
 * plain description tests can walk: which fields, of which kind, with which bounds. It reads
 * zod's `_zod.def`, zod 4's documented introspection surface, so it works on the schema
 * objects of a built bundle too (they come from the bundle's own copy of zod).
 */
export type ShapeKind = 'object' | 'array' | 'string' | 'boolean' | 'number' | 'enum' | 'other';

export interface Shape {
  kind: ShapeKind;
  optional: boolean;
  nullable: boolean;
  /** Object fields by name. */
  fields?: Record<string, Shape>;
  /** Array element. */
  element?: Shape;
  /** Enum values. */
  values?: unknown[];
  minLength?: number;
  maxLength?: number;
}

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  shape?: Record<string, { _zod: { def: Def } }>;
  element?: { _zod: { def: Def } };
  entries?: Record<string, unknown>;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number } } }[];
}

export function shapeOf(schema: unknown): Shape {
  let def = (schema as { _zod: { def: Def } })._zod.def;
  let optional = false;
  let nullable = false;
  while ((def.type === 'optional' || def.type === 'nullable') && def.innerType) {
    if (def.type === 'optional') optional = true;
    else nullable = true;
    def = def.innerType._zod.def;
  }
  const shape: Shape = { kind: 'other', optional, nullable };
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length') shape.minLength = c.minimum;
    if (c.check === 'max_length') shape.maxLength = c.maximum;
  }
  if (def.type === 'object' && def.shape) {
    shape.kind = 'object';
    shape.fields = Object.fromEntries(Object.entries(def.shape).map(([name, field]) => [name, shapeOf(field)]));
  } else if (def.type === 'array' && def.element) {
    shape.kind = 'array';
    shape.element = shapeOf(def.element);
  } else if (def.type === 'enum' && def.entries) {
    shape.kind = 'enum';
    shape.values = Object.values(def.entries);
  } else if (def.type === 'string' || def.type === 'boolean' || def.type === 'number') {
    shape.kind = def.type;
  }
  return shape;
}

/** Every field path of a shape, array elements left out (`member.unitIds`, not `member.unitIds.0`). */
export function fieldPaths(shape: Shape, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [name, field] of Object.entries(shape.fields ?? {})) {
    const path = [...prefix, name];
    paths.push(path, ...fieldPaths(field, path));
    if (field.element) paths.push(...fieldPaths(field.element, path));
  }
  return paths;
}
