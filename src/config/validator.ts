// Compiles the schema once, with our formats and the `errorText` annotation keyword.
// useDefaults fills every missing key in place; allErrors lists every problem.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { formats } from './formats.ts';
import { configSchema } from './schema.ts';

let compiled: ValidateFunction | undefined;

export function configValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true });
  ajv.addKeyword({ keyword: 'errorText', schemaType: 'string' });
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, { type: 'string', validate: check });
  compiled = ajv.compile(configSchema);
  return compiled;
}
