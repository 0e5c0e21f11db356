/**
 * Turns schema failures into messages a researcher can act on: the file, the
 * field's path (`samplers.sgld.stepSize`), the bad value, and what is allowed.
 */
import type { z } from 'zod';

export class PipelineConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid pipeline config ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was run):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'PipelineConfigError';
  }
}

/** `a.b[2].c` from a zod path; keys that would read ambiguously (`../x`, `a/b`, ``) as `["../x"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!/^[A-Za-z0-9_$][\w$-]*$/.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    return String(value);
  }
}

export function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * The allowed value a wrong one most likely meant: enum values are kebab-case, so an older
 * snake_case spelling ('gauss_iso', 'student_t') maps to its new form; otherwise the closest typo.
 */
export function suggestValue(value: unknown, options: readonly unknown[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  const strings = options.filter((o): o is string => typeof o === 'string');
  const kebab = value.replace(/_/g, '-');
  return strings.includes(kebab) ? kebab : closest(value, strings);
}

/** The allowed key closest to `key`, if it is close enough to be a likely typo. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> } };

/** The object schema that validates the value at `path`, following the input through unions. */
function objectKeysAt(schema: AnySchema, path: ReadonlyArray<PropertyKey>, input: unknown): string[] | undefined {
  let s: AnySchema | undefined = schema;
  let v: unknown = input;
  const unwrap = () => {
    for (;;) {
      const def = s!._zod.def;
      if (def.innerType) s = def.innerType as AnySchema;
      else if (def.type === 'union') {
        const options = def.options as AnySchema[];
        const discriminator = def.discriminator as string | undefined;
        const match =
          options.find((o) => {
            const shape = o._zod.def.shape as Record<string, AnySchema> | undefined;
            if (!shape || typeof v !== 'object' || v === null) return false;
            if (!discriminator) return true;
            const lit = shape[discriminator]?._zod.def.values as unknown[] | undefined;
            return lit?.includes((v as Record<string, unknown>)[discriminator]) ?? false;
          }) ?? undefined;
        if (!match) return;
        s = match;
      } else return;
    }
  };
  unwrap();
  for (const key of path) {
    if (!s) return undefined;
    const def: Record<string, unknown> = s._zod.def;
    if (def.type === 'object') s = (def.shape as Record<string, AnySchema>)[String(key)];
    else if (def.type === 'record') s = def.valueType as AnySchema;
    else if (def.type === 'array') s = def.element as AnySchema;
    else return undefined;
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
    if (s) unwrap();
  }
  const shape = s?._zod.def.shape as Record<string, unknown> | undefined;
  return shape ? Object.keys(shape) : undefined;
}

/** One readable line per problem. */
export function formatIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = formatPath(issue.path);
    const got = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = objectKeysAt(schema as AnySchema, issue.path, input) ?? [];
        for (const key of issue.keys) {
          const hint = closest(key, allowed);
          const at = formatPath([...issue.path, key]);
          lines.push(
            `${at}: unknown key${hint ? ` (did you mean '${hint}'?)` : ''}; allowed here: ${allowed.join(', ') || 'none'}`,
          );
        }
        break;
      }
      case 'invalid_union': {
        const discriminator = (issue as { discriminator?: string }).discriminator;
        if (discriminator) {
          const options = (issue as { options?: unknown[] }).options ?? [];
          const allowed = options.map((o) => describeValue(o));
          // zod 4 already ends the path at the discriminator; older versions stop at the object.
          const at = issue.path.at(-1) === discriminator ? issue.path : [...issue.path, discriminator];
          const value = valueAt(input, at);
          const hint = suggestValue(value, options);
          lines.push(
            `${formatPath(at)}: got ${describeValue(value)}${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${allowed.join(', ') || 'see docs/CONFIG.md'}`,
          );
          break;
        }
        // Sweepable fields: report why the plain value failed, and mention sweeps.
        const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
        const plain = branches[0]?.[0];
        if (plain) {
          const nested = formatIssues(schema, [{ ...plain, path: [...issue.path, ...plain.path] }], input);
          lines.push(...nested.map((l) => `${l} (or sweep([...]) of such values)`));
        } else lines.push(`${where}: got ${describeValue(got)}: ${issue.message}`);
        break;
      }
      case 'invalid_value': {
        const values = (issue as { values?: unknown[] }).values ?? [];
        const hint = suggestValue(got, values);
        lines.push(`${where}: got ${describeValue(got)}${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${values.map((v) => describeValue(v)).join(', ')}`);
        break;
      }
      case 'invalid_key': {
        // A record key (a target or sampler name) failed: report the name, not the value under it.
        const key = issue.path.at(-1);
        const why = issue.issues.map((i) => i.message).join('; ') || issue.message;
        lines.push(`${where}: invalid name ${describeValue(String(key))}: ${why}`);
        break;
      }
      default:
        if (issue.code === 'invalid_type' && got === undefined) {
          lines.push(`${where}: required but missing (expected ${issue.expected})`);
        } else lines.push(`${where}: ${issue.message} (got ${describeValue(got)})`);
    }
  }
  return lines;
}
