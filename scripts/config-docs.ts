/**
 * Writes docs/configuration.md, the configuration reference, from the zod schema (its JSON Schema
 * and the fields' descriptions) and the AWS facts in config/aws/. `npm run docs:config`;
 * test/config-docs.test.ts fails when the committed file differs from what this renders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { environmentShape, LOG_RETENTION_DAYS } from '../config';
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS } from '../config/aws/cloudfront';
import { COUNTRY_CODES } from '../config/aws/countries';
import { CACHE_ENGINE_VERSIONS_OFFERED, CACHE_NODE_TYPES, supportedCacheVersions } from '../config/aws/elasticache';
import { POSTGRES_GP3_STORAGE_GIB, POSTGRES_INSTANCE_CLASSES, POSTGRES_VERSIONS } from '../config/aws/rds';
import { AVAILABILITY_ZONE_LETTERS, ZONES_PER_ACCOUNT } from '../config/aws/regions';
import { SUBNET_PREFIX_RANGE } from '../config/aws/vpc';
import { OVERRIDES, overrideVariable } from '../lib/config-loader';

/** Where the reference is written. */
export const CONFIGURATION_DOC = path.join(__dirname, '..', 'docs', 'configuration.md');

interface JsonSchema {
  readonly type?: string | string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
}

/** A readable type: `string`, `"a" | "b"`, `whole number (10 to 90)`, `string[]`. */
function typeOf(schema: JsonSchema): string {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    return variants.map(typeOf).join(' | ');
  }
  if (schema.const !== undefined) {
    return `\`${JSON.stringify(schema.const)}\``;
  }
  if (schema.enum) {
    return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' | ');
  }
  if (schema.type === 'array') {
    const item = schema.items ? typeOf(schema.items) : 'unknown';
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  // zod's whole numbers carry the safe-integer bounds: only bounds the schema set are worth showing.
  const bound = (value: number | undefined) =>
    value === undefined || Math.abs(value) >= Number.MAX_SAFE_INTEGER ? undefined : value;
  const min = bound(schema.minimum) ?? (schema.exclusiveMinimum === 0 ? 1 : bound(schema.exclusiveMinimum));
  const max = bound(schema.maximum);
  const range =
    min === undefined && max === undefined
      ? ''
      : max === undefined
        ? ` (at least ${min})`
        : min === undefined
          ? ` (at most ${max})`
          : ` (${min} to ${max})`;
  return `${type === 'integer' ? 'whole number' : type}${range}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Table rows for every field below `schema`, depth first, with dotted paths. */
function rows(schema: JsonSchema, prefix: string, required: boolean): string[] {
  const out: string[] = [];
  const variants = schema.oneOf ?? schema.anyOf;
  const objectVariants = variants?.filter((variant) => variant.properties !== undefined) ?? [];
  if (prefix !== '') {
    out.push(
      `| \`${prefix}\` | ${cell(schema.properties ? 'object' : objectVariants.length > 0 ? `object, one of ${objectVariants.length} forms` : typeOf(schema))} | ${required ? 'yes' : 'no'} | ${cell(schema.description ?? '')} |`,
    );
  }
  if (schema.properties) {
    for (const [key, child] of Object.entries(schema.properties)) {
      out.push(...rows(child, prefix === '' ? key : `${prefix}.${key}`, schema.required?.includes(key) ?? false));
    }
  }
  if (schema.type === 'array' && schema.items?.properties) {
    out.push(...rows(schema.items, `${prefix}[]`, true).filter((row) => !row.startsWith(`| \`${prefix}[]\` |`)));
  }
  for (const variant of objectVariants) {
    for (const [key, child] of Object.entries(variant.properties ?? {})) {
      if (!out.some((row) => row.startsWith(`| \`${prefix}.${key}\` |`))) {
        out.push(...rows(child, `${prefix}.${key}`, variant.required?.includes(key) ?? false));
      }
    }
  }
  return out;
}

const TABLE_HEAD = ['| Field | Type | Required | Description |', '| --- | --- | --- | --- |'];

function fieldReference(): string[] {
  const schema = z.toJSONSchema(environmentShape, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: string[] = [];
  const properties = Object.entries(schema.properties ?? {});
  const scalars = properties.filter(([, child]) => child.properties === undefined);
  out.push('### Top level', '', ...TABLE_HEAD);
  for (const [key, child] of scalars) {
    out.push(...rows(child, key, schema.required?.includes(key) ?? false));
  }
  for (const [key, child] of properties.filter(([, child]) => child.properties !== undefined)) {
    const required = schema.required?.includes(key) ?? false;
    out.push(
      '',
      `### \`${key}\`${required ? '' : ' (optional)'}`,
      '',
      child.description ?? '',
      '',
      ...TABLE_HEAD,
      ...rows(child, key, required).slice(1),
    );
  }
  return out;
}

function overrideReference(): string[] {
  return [
    '| Field | `-c` context key | Environment variable |',
    '| --- | --- | --- |',
    ...OVERRIDES.map(
      (override) =>
        `| \`${override.field.join('.')}\` | \`-c <env>:${override.context}=…\` | \`${overrideVariable('<ENV>', override.variable)}\` |`,
    ),
  ];
}

function factsReference(): string[] {
  const zones = Object.entries(AVAILABILITY_ZONE_LETTERS).map(
    ([region, letters]) =>
      `| \`${region}\` | ${letters.map((letter) => `${region}${letter}`).join(', ')}${ZONES_PER_ACCOUNT[region] ? ` (${ZONES_PER_ACCOUNT[region]} per account)` : ''} | ${CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[region] ? `\`${CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[region]}\`` : 'unknown: set `edge.originFacingPrefixListId`'} |`,
  );
  return [
    'What the schema knows about AWS, each table with its source in `config/aws/`. A value outside them is rejected before any template is written; when AWS adds one, add it there.',
    '',
    '### Regions, availability zones and CloudFront origin-facing prefix lists',
    '',
    'Source: `config/aws/regions.ts` (AWS Regions and Availability Zones documentation) and `config/aws/cloudfront.ts` (`com.amazonaws.global.cloudfront.origin-facing`).',
    '',
    '| Region | Availability zones | Origin-facing prefix list |',
    '| --- | --- | --- |',
    ...zones,
    '',
    '### RDS for PostgreSQL',
    '',
    'Source: `config/aws/rds.ts`.',
    '',
    ...Object.entries(POSTGRES_VERSIONS).map(([major, versions]) => `- PostgreSQL ${major}: ${versions.join(', ')}`),
    ...Object.entries(POSTGRES_INSTANCE_CLASSES).map(([family, sizes]) => `- \`${family}\`: ${sizes.join(', ')}`),
    `- gp3 storage: ${POSTGRES_GP3_STORAGE_GIB.min} to ${POSTGRES_GP3_STORAGE_GIB.max} GiB`,
    '',
    '### ElastiCache',
    '',
    'Source: `config/aws/elasticache.ts`.',
    '',
    `- Redis OSS versions offered: ${CACHE_ENGINE_VERSIONS_OFFERED.redis.join(', ')}; this project runs ${supportedCacheVersions('redis').join(', ')}`,
    `- Valkey versions offered: ${CACHE_ENGINE_VERSIONS_OFFERED.valkey.join(', ')}; this project runs ${supportedCacheVersions('valkey').join(', ')}`,
    `- Node types: ${CACHE_NODE_TYPES.join(', ')}`,
    '',
    '### Other values',
    '',
    `- Subnets and the VPC: /${SUBNET_PREFIX_RANGE.min} to /${SUBNET_PREFIX_RANGE.max} (\`config/aws/vpc.ts\`).`,
    `- CloudWatch Logs retention, in days: ${LOG_RETENTION_DAYS.join(', ')} (\`config/aws/logs.ts\`).`,
    '- Schedules (`compute.scheduledScaling[].schedule`), as Application Auto Scaling parses them (`config/aws/schedules.ts`): `cron(minutes hours day-of-month month day-of-week year)` with six fields and `?` in exactly one of day-of-month and day-of-week (e.g. `cron(0 7 ? * MON-FRI *)`); `rate(1 hour)`, `rate(5 minutes)` (singular for 1, plural above); `at(2026-12-24T18:00:00)`.',
    '- Time zones: IANA names as Node knows them, e.g. `Europe/Berlin`, `UTC` (`config/aws/time-zones.ts`).',
    `- Countries: the ${COUNTRY_CODES.length} officially assigned ISO 3166-1 alpha-2 codes; \`UK\` is \`GB\` (\`config/aws/countries.ts\`).`,
  ];
}

const ADDING_AN_ENVIRONMENT = [
  'An environment is one entry in the registry `config/index.ts`; everything else derives from its name. To add `qa`:',
  '',
  "1. Copy the config of the environment it should resemble: `cp config/staging.ts config/qa.ts`. In the copy, rename the export (`export const qa`) and set `name: 'qa'` (lowercase letters and digits, starting with a letter: the name becomes part of resource names and of override variables).",
  "2. Give it its own `network.vpcCidr` and subnets, disjoint from every other environment's VPC, its `account`, and its own `tags.Environment` and `tags.CostCenter`. With a domain, its record names must not serve a name another environment serves (CloudFront aliases are unique across AWS).",
  "3. Register it: `import { qa } from './qa';` and add `qa` to `environments` in `config/index.ts`.",
  "4. Check it: `npx cdk synth 'Qa/*' --quiet` (with `-c env=qa` only the `Qa` stage is built; every environment is still validated). Its stage is `Qa`, its overrides are `-c qa:account=…` or `LA_QA_ACCOUNT`.",
  '5. Compliance findings: acknowledgments in `lib/acknowledgments/` apply by configuration (conditions such as `WITHOUT_DOMAIN` or `TRAFFIC_SHIFTING` in `lib/acknowledgments/shared.ts`), so the new environment gets exactly the entries its configuration calls for; `test/config-environments.test.ts` synthesizes such a copy of staging with zero unexplained findings. A finding its first synthesis still lists names the config field that decides it: change the config, or give the entry the condition that causes the finding.',
  "6. Create what its configuration names before the first deploy: the key administrators of `security.keyAdministrators`, and the hosted zone of `domain`. Then follow the README's First deploy (`npm run first-deploy -- --env qa --dry-run`).",
  '',
  'Nothing else names environments: stage IDs (`qa` -> `Qa`), the `-c env=` selector and the override variables follow the registry.',
];

/** The reference's text, before Prettier aligns its tables. */
export function renderReferenceText(): string {
  return [
    '<!-- Generated by `npm run docs:config` (scripts/config-docs.ts) from config/schema.ts and config/aws/. Do not edit by hand: test/config-docs.test.ts fails when this file is stale. -->',
    '',
    '# Configuration reference',
    '',
    "Each environment's configuration is a TypeScript file in `config/` (`config/dev.ts`, `config/staging.ts`, `config/prod.ts`), registered in `config/index.ts` and validated by the zod schema in `config/schema.ts` when the app starts. Every environment is validated on every run, also when `-c env=<name>` builds only one: checks across environments (disjoint VPCs, unique CloudFront aliases) need them all. A problem stops synthesis before any template is written, with one line per problem naming the environment, the field, the value and, for an override, where it came from.",
    '',
    '## Overrides',
    '',
    'Some fields can be set per run without editing a file, highest precedence first: a context value (`-c prod:account=123456789012`), then an environment variable (`LA_PROD_ACCOUNT=123456789012`), then the file. Lists are comma-separated. An override key or variable that names no field (`-c prod:acount=…`, `LA_PROD_ACCOUNT_ID=…`) is an error that names the closest valid one. `CDK_DEFAULT_ACCOUNT` and `CDK_DEFAULT_REGION` are not read.',
    '',
    ...overrideReference(),
    '',
    'CI sets the image tag of environments that run an ECR image with `-c imageTag=<tag>`.',
    '',
    '## Fields',
    '',
    ...fieldReference(),
    '',
    '## AWS facts the schema checks',
    '',
    ...factsReference(),
    '',
    '## Adding an environment',
    '',
    ...ADDING_AN_ENVIRONMENT,
    '',
  ].join('\n');
}

/** The whole reference, formatted as the repository's Prettier settings want it (`npm run lint`). */
export async function renderConfigurationReference(): Promise<string> {
  // Loaded here: Prettier's CommonJS entry imports ES modules, which Jest's module system cannot
  // (the test runs this script in a child process instead).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prettier = require('prettier') as typeof import('prettier');
  const options = await prettier.resolveConfig(CONFIGURATION_DOC);
  return prettier.format(renderReferenceText(), { ...options, parser: 'markdown' });
}

/** `--print` writes the reference to stdout instead of the file (the staleness test compares it). */
if (require.main === module) {
  void renderConfigurationReference().then((text) => {
    if (process.argv.includes('--print')) {
      process.stdout.write(text);
      return;
    }
    fs.mkdirSync(path.dirname(CONFIGURATION_DOC), { recursive: true });
    fs.writeFileSync(CONFIGURATION_DOC, text);
    console.log(`Wrote ${path.relative(process.cwd(), CONFIGURATION_DOC)}`);
  });
}
