// Sample variables for previewing an edition: from its variables schema
// (JSON Schema), each property's `default`, else its first `examples` entry,
// `const` or `enum` value; required properties without any get a placeholder
// of their type, so that the preview passes validation where it can.

type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

function placeholder(schema: Schema): unknown {
  switch (typeOf(schema)) {
    case 'string':
      return typeof schema.minLength === 'number' && schema.minLength > 0 ? 'x'.repeat(schema.minLength) : 'sample';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return sampleVars(schema);
    default:
      return undefined;
  }
}

/** A sample value of a schema, or undefined when it suggests none (and `required` is false). */
export function sampleValue(schema: unknown, required = false, depth = 0): unknown {
  if (!isSchema(schema) || depth > 8) return undefined;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (typeOf(schema) === 'object' || isSchema(schema.properties)) {
    const obj = sampleVars(schema, depth + 1);
    return required || Object.keys(obj).length > 0 ? obj : undefined;
  }
  return required ? placeholder(schema) : undefined;
}

/** Sample variables of an edition's variables schema ({} without one). */
export function sampleVars(schema: unknown, depth = 0): Record<string, unknown> {
  if (!isSchema(schema) || !isSchema(schema.properties)) return {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(schema.properties)) {
    const v = sampleValue(sub, required.includes(key), depth);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
