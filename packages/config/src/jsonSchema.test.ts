import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NAME_PATTERN, pipelineSchema, samplerSchema } from './schema';
import {
  PORTABLE_NAME_PATTERN,
  STALE_MESSAGE,
  checkSchemaFile,
  pipelineJsonSchema,
  renderPipelineJsonSchema,
  schemaFilePath,
  unhandledRefinements,
} from './jsonSchema';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema documents are walked by key
type Json = Record<string, any>;

test('docs/config.schema.json is what the zod schemas generate', () => {
  assert.equal(STALE_MESSAGE, 'docs/config.schema.json is stale: run node --import tsx packages/config/src/jsonSchema.ts --write');
  let onDisk: string | null = null;
  try {
    onDisk = readFileSync(schemaFilePath(), 'utf8');
  } catch {
    // reported below
  }
  assert.ok(onDisk !== null && onDisk === renderPipelineJsonSchema(), STALE_MESSAGE);
  assert.equal(checkSchemaFile(), null);
});

test('the rendering is stable: same bytes twice, 2-space JSON with a trailing newline', () => {
  const a = renderPipelineJsonSchema();
  assert.equal(renderPipelineJsonSchema(), a);
  assert.ok(a.endsWith('}\n') && !a.endsWith('\n\n'));
  assert.equal(a, `${JSON.stringify(JSON.parse(a), null, 2)}\n`);
});

test('describes the input side: required keys, defaults, draft 2020-12', () => {
  const s = pipelineJsonSchema() as Json;
  assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(s.required, ['targets', 'samplers']);
  assert.equal(s.additionalProperties, false);
  assert.equal(s.properties.seed.default, 0);
  assert.equal(s.properties.engine.default, 'auto');
  const sgld = s.properties.samplers.additionalProperties.oneOf[0];
  assert.deepEqual(sgld.required, ['kind', 'stepSize']);
  assert.equal(sgld.properties.steps.default, 2000);
  assert.equal(sgld.properties.evalEvery.default, 10);
  // A sweep is an object with exactly one key, $sweep.
  const sweep = sgld.properties.stepSize.anyOf[1];
  assert.deepEqual(sweep.required, ['$sweep']);
  assert.equal(sweep.additionalProperties, false);
});

test('refinements are carried over: at least one target and one sampler', () => {
  const s = pipelineJsonSchema() as Json;
  assert.equal(s.properties.targets.minProperties, 1);
  assert.equal(s.properties.samplers.minProperties, 1);
  assert.deepEqual(unhandledRefinements(pipelineSchema), []);
});

test('unhandledRefinements finds refinements nested in objects, records, arrays and unions', () => {
  const refined = z.number().refine((v) => v > 1);
  const schema = z.object({
    a: z.object({ b: refined }),
    c: z.record(z.string(), z.array(z.union([z.string(), refined]))).optional(),
    d: z.number().default(1),
  });
  const found = unhandledRefinements(schema, new Map());
  assert.equal(found.length, 1, `found ${found.join(', ')}`); // one schema object, seen once
  assert.match(found[0], /^a\.b$/);
  assert.deepEqual(unhandledRefinements(schema, new Map([[refined, true]])), []);
  assert.deepEqual(unhandledRefinements(z.object({ x: z.array(z.number().refine(() => true)) }), new Map()), ['x[*]']);
});

test('runs[].overrides lists the sampler hyperparameters, without their defaults', () => {
  const s = pipelineJsonSchema() as Json;
  const overrides = s.properties.runs.items.properties.overrides;
  const branches = (overrides.anyOf ?? [overrides]) as Json[];
  assert.equal(branches.length, samplerSchema.options.length, 'one branch per sampler kind');
  branches.forEach((branch, i) => {
    assert.equal(branch.additionalProperties, false);
    assert.deepEqual(Object.keys(branch.properties).sort(), Object.keys(samplerSchema.options[i].shape).sort());
    for (const [key, property] of Object.entries(branch.properties as Record<string, Json>)) {
      assert.equal(property.default, undefined, `overrides.${key} has a default`);
    }
    assert.equal(branch.properties.kind.type, undefined, 'any kind is accepted (and ignored)');
    assert.equal(branch.required, undefined);
  });
});

test('the portable name pattern accepts exactly what NAME_PATTERN accepts', () => {
  const portable = new RegExp(PORTABLE_NAME_PATTERN);
  assert.ok(!PORTABLE_NAME_PATTERN.includes('(?!') && !PORTABLE_NAME_PATTERN.includes('(?='), 'no lookaround');
  const alphabet = ['a', '7', '_', '-', 'A', '.'];
  let strings = [''];
  let checked = 0;
  for (let len = 0; len <= 6; len++) {
    for (const s of strings) {
      assert.equal(portable.test(s), NAME_PATTERN.test(s), JSON.stringify(s));
      checked++;
    }
    strings = strings.flatMap((s) => alphabet.map((c) => s + c));
  }
  assert.ok(checked > 50_000);
  const text = renderPipelineJsonSchema();
  assert.ok(!text.includes(JSON.stringify(NAME_PATTERN.source)), 'the lookahead pattern is not emitted');
  assert.ok(text.includes(JSON.stringify(PORTABLE_NAME_PATTERN)));
});
