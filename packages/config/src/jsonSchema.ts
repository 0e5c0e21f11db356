/**
 * docs/config.schema.json: the JSON Schema of `pipeline.config.ts`, generated from
 * the zod schemas in ./schema (the single source of truth) with zod 4's
 * `z.toJSONSchema(pipelineSchema, { io: 'input' })`, i.e. what a user may write,
 * with every default shown.
 *
 * zod emits most of the schema by itself; this file fills the gaps it leaves:
 *   - refinements (`.refine`) are code, so zod drops them silently: each one must
 *     have a JSON Schema equivalent in REFINEMENTS, or generation fails (so a new
 *     `.refine` in schema.ts cannot go unnoticed);
 *   - `runs[].overrides` is `record(string, unknown)` in zod (it is validated after
 *     merging over the sampler); here it lists the sampler hyperparameters it may set;
 *   - the name pattern uses a lookahead, which validators on RE2-style engines (Go's) reject;
 *     it is written as an equivalent pattern without one;
 *   - checks across fields (widths vs inputDim, batchSize ≤ n, ...) are listed in the
 *     top-level description: JSON Schema cannot express them.
 *
 *   node --import tsx packages/config/src/jsonSchema.ts --write   regenerate docs/config.schema.json
 *   node --import tsx packages/config/src/jsonSchema.ts --check   exit 1 when the file is stale
 *   node --import tsx packages/config/src/jsonSchema.ts           print it
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NAME_PATTERN, pipelineSchema, runSchema, samplerSchema } from './schema';

export const SCHEMA_FILE = 'docs/config.schema.json';
export const WRITE_COMMAND = 'node --import tsx packages/config/src/jsonSchema.ts --write';
export const STALE_MESSAGE = `${SCHEMA_FILE} is stale: run ${WRITE_COMMAND}`;

const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

type Json = Record<string, unknown>;

/**
 * NAME_PATTERN without its lookahead: a first letter or digit, then letters, digits
 * and '_' each optionally preceded by a single '-', then an optional trailing '-'.
 * Accepts exactly the same strings (jsonSchema.test.ts checks this exhaustively).
 */
export const PORTABLE_NAME_PATTERN = '^[a-z0-9](?:-?[a-z0-9_])*-?$';

/** What JSON Schema says in place of each `.refine` in schema.ts, keyed by the refined zod schema. */
const REFINEMENTS = new Map<unknown, (json: Json) => void>([
  // "declare at least one target" / "... sampler"
  [pipelineSchema.shape.targets, (json) => void (json.minProperties = 1)],
  [pipelineSchema.shape.samplers, (json) => void (json.minProperties = 1)],
]);

/** Checks that span several fields or the whole pipeline: enforced when the graph is built, not by this schema. */
export const CROSS_FIELD_CHECKS = [
  'targets.<name>.teacher.widths[0] and student.widths[0] must equal inputDim',
  "the student's last width must equal the teacher's last width",
  'inputs.latentDim must not exceed inputDim; train.momentum only with sgd, train.weightDecay only with adamw',
  'dln/rrr rank must not exceed the smallest width',
  'monomial powers must be even; normal-crossing, two-layer-linear and scalar-chain (depth ≥ 2) potentials need prior: { gamma }',
  "runs[].target / runs[].sampler must name declared targets / samplers (or '*')",
  "runs[].overrides, merged over each selected sampler, must be valid for that sampler's kind",
  "a run's batchSize must be at most its target's n, and steps at least evalEvery",
  'hmc needs stepSize when burnIn is 0; mclmc needs burnIn > 0 to tune, or both stepSize and L',
  'a preconditioned sgld needs burnIn > 0 or freezeAfter (the preconditioner adapts during burn-in)',
  'run ids (<target>--<sampler>[--<key>-<value>...]) must be unique across all runs',
];

type ZodNode = { _zod: { def: Record<string, unknown> } };

function isZod(value: unknown): value is ZodNode {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * Paths (zod-path style) of every schema under `root` carrying a refinement that
 * REFINEMENTS does not translate. Refinements are `custom` checks in zod 4.
 */
export function unhandledRefinements(root: unknown, handled: ReadonlyMap<unknown, unknown> = REFINEMENTS): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  const visit = (node: unknown, path: string): void => {
    if (!isZod(node) || seen.has(node)) return;
    seen.add(node);
    const def = node._zod.def;
    const checks = (def.checks as ZodNode[] | undefined) ?? [];
    if (checks.some((c) => c._zod.def.check === 'custom') && !handled.has(node)) found.push(path || '(root)');
    for (const [key, value] of Object.entries(def)) {
      if (key === 'checks') continue;
      if (key === 'shape' && value && typeof value === 'object') {
        for (const [field, child] of Object.entries(value)) visit(child, path ? `${path}.${field}` : field);
      } else if (Array.isArray(value)) {
        value.forEach((child, i) => visit(child, `${path}|${key}[${i}]`));
      } else if (key === 'element' || key === 'valueType') {
        visit(value, `${path}[*]`);
      } else {
        visit(value, path);
      }
    }
  };
  visit(root, '');
  return found;
}

/** `runs[].overrides`: any hyperparameter of any sampler kind, without the sampler's defaults. */
function overridesJson(): Json {
  const kinds = samplerSchema.options.map((o) => o.partial());
  const json = z.toJSONSchema(kinds.length === 1 ? kinds[0] : z.union(kinds), { io: 'input' }) as Json;
  delete json.$schema;
  const branches = (json.anyOf as Json[] | undefined) ?? [json];
  for (const branch of branches) {
    const properties = (branch.properties as Record<string, Json>) ?? {};
    for (const property of Object.values(properties)) delete property.default;
    // expandPipeline merges overrides as { ...sampler, ...overrides, kind: sampler.kind }: any kind is accepted and ignored.
    if (properties.kind) properties.kind = { description: "Ignored: a run never changes a sampler's kind." };
  }
  return {
    description:
      "Sampler hyperparameters that replace the selected samplers' own for these runs; each may be a sweep. " +
      'Non-swept overrides do not appear in run ids.',
    ...json,
  };
}

/** The JSON Schema of what `pipeline.config.ts` may export (zod's input side: defaults shown, optional keys omitted). */
export function pipelineJsonSchema(): Json {
  const unhandled = unhandledRefinements(pipelineSchema);
  if (unhandled.length > 0) {
    throw new Error(
      `pipelineJsonSchema: refinements JSON Schema cannot carry at ${unhandled.join(', ')}; ` +
        'add their JSON Schema equivalent to REFINEMENTS in packages/config/src/jsonSchema.ts',
    );
  }
  const overridesRecord = runSchema.shape.overrides.unwrap();
  const overrides = overridesJson();
  const generated = z.toJSONSchema(pipelineSchema, {
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      const json = jsonSchema as Json;
      REFINEMENTS.get(zodSchema)?.(json);
      if (zodSchema === overridesRecord) {
        for (const key of Object.keys(json)) delete json[key];
        Object.assign(json, structuredClone(overrides));
      }
      if (json.pattern === NAME_PATTERN.source) json.pattern = PORTABLE_NAME_PATTERN;
    },
  }) as Json;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'pipeline.config.ts',
    description:
      'The object that pipeline.config.ts exports (default export of definePipeline({...})); reference: docs/CONFIG.md. ' +
      'A value written sweep([a, b]) appears here as {"$sweep": [a, b]}. ' +
      `Also checked when the graph is built, beyond this schema: ${CROSS_FIELD_CHECKS.join('; ')}.`,
    ...rest,
  };
}

/** The exact bytes of docs/config.schema.json: 2-space JSON and a trailing newline. */
export function renderPipelineJsonSchema(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}

export function schemaFilePath(root = WORKSPACE_ROOT): string {
  return resolve(root, SCHEMA_FILE);
}

/** null when docs/config.schema.json matches the zod schemas, else the stale message. */
export function checkSchemaFile(root = WORKSPACE_ROOT): string | null {
  let current: string;
  try {
    current = readFileSync(schemaFilePath(root), 'utf8');
  } catch {
    return STALE_MESSAGE;
  }
  return current === renderPipelineJsonSchema() ? null : STALE_MESSAGE;
}

function main(args: string[]): number {
  if (args.includes('--write')) {
    const path = schemaFilePath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderPipelineJsonSchema());
    console.error(`wrote ${SCHEMA_FILE}`);
    return 0;
  }
  if (args.includes('--check')) {
    const problem = checkSchemaFile();
    if (problem) console.error(problem);
    return problem ? 1 : 0;
  }
  if (args.length > 0) {
    console.error(`Unknown arguments: ${args.join(' ')}\nUsage: node --import tsx packages/config/src/jsonSchema.ts [--write | --check]`);
    return 2;
  }
  process.stdout.write(renderPipelineJsonSchema());
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
