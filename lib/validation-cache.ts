import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a template-level validation plugin's `validate` receives; the two report flavours
 * (`Beta1` and current) share this shape.
 */
export interface TemplateValidationContext {
  readonly templatePaths: string[];
  readonly stackTemplates?: ReadonlyArray<{
    readonly stackConstructPath?: string;
    readonly templatePath: string;
    readonly accountId?: string;
    readonly region?: string;
  }>;
}

/** A violation in the shape both report flavours (`PolicyViolation`, `PolicyViolationBeta1`) share. */
export interface CacheableViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly fix?: string;
  readonly violatingResources: ReadonlyArray<{ readonly templatePath?: string }>;
}

/** A plugin report in the shape both report flavours share. */
export interface TemplateReport<V extends CacheableViolation> {
  readonly success: boolean;
  readonly violations: V[];
}

/** Where validation results are kept between runs, unless `LA_VALIDATION_CACHE_DIR` says otherwise. */
export const DEFAULT_CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'compliance');

/** How a plugin is cached. */
export interface ValidationCacheOptions<V extends CacheableViolation> {
  /** Plugin name and everything its verdict depends on besides the template: versions, rule files, options. */
  readonly fingerprint: string;
  /** The plugin's own success rule over a set of violations. */
  readonly successOf: (violations: readonly V[]) => boolean;
  /**
   * Directory of the cache; `undefined` turns caching off.
   *
   * @default - {@link validationCacheDir}
   */
  readonly directory?: string;
}

/**
 * The cache directory for this process: off when `LA_VALIDATION_CACHE=off` or in CI (`CI` set, not `false`,
 * where every clone starts cold anyway and a verdict should never come from disk), else
 * `LA_VALIDATION_CACHE_DIR` or {@link DEFAULT_CACHE_DIR}.
 */
export function validationCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const inCi = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());
  if (env.LA_VALIDATION_CACHE === 'off' || (inCi && env.LA_VALIDATION_CACHE !== 'on')) {
    return undefined;
  }
  return env.LA_VALIDATION_CACHE_DIR ?? DEFAULT_CACHE_DIR;
}

/** Content hash of every file under `paths` (files or directories), names included. */
export function hashFiles(paths: readonly string[]): string {
  const hash = createHash('sha256');
  const visit = (file: string): void => {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file).sort()) {
        visit(path.join(file, entry));
      }
    } else {
      hash.update(`${file}\0`).update(fs.readFileSync(file)).update('\0');
    }
  };
  paths.forEach(visit);
  return hash.digest('hex');
}

const TEMPLATE_PLACEHOLDER = '<template>';
/** Changes whenever what an entry holds changes, so no older entry is ever read. */
const CACHE_FORMAT = 'compliance-cache-v2';

/**
 * Runs `validate` only on the templates whose verdict is not cached, and answers the rest from the
 * cache. A template's verdict is keyed by the template's bytes, its stack's path, account and
 * region, and the plugin's fingerprint, so any change to what the plugin reads validates the
 * template again; the cache can only return what the same plugin said about the same input.
 * Each template's violations are stored alone, so one changed template never re-validates another.
 */
export function cachedValidate<V extends CacheableViolation>(
  context: TemplateValidationContext,
  options: ValidationCacheOptions<V>,
  validate: (context: TemplateValidationContext) => TemplateReport<V>,
): TemplateReport<V> {
  const directory = 'directory' in options ? options.directory : validationCacheDir();
  if (directory === undefined) {
    return validate(context);
  }
  const entries = context.templatePaths.map((templatePath) => {
    const stack = context.stackTemplates?.find((s) => s.templatePath === templatePath);
    const key = createHash('sha256')
      .update(CACHE_FORMAT)
      .update(options.fingerprint)
      .update('\0')
      .update(JSON.stringify([stack?.stackConstructPath, stack?.accountId, stack?.region]))
      .update('\0')
      .update(fs.readFileSync(templatePath))
      .digest('hex');
    return { templatePath, file: path.join(directory, `${key}.json`) };
  });

  const cached = new Map<string, V[]>();
  for (const entry of entries) {
    const stored = readJson<V>(entry.file);
    if (stored !== undefined) {
      cached.set(entry.templatePath, restorePaths(stored, entry.templatePath));
    }
  }
  const missing = entries.filter((entry) => !cached.has(entry.templatePath));
  if (missing.length > 0) {
    const missingPaths = new Set(missing.map((entry) => entry.templatePath));
    const report = validate({
      ...context,
      templatePaths: context.templatePaths.filter((p) => missingPaths.has(p)),
      stackTemplates: context.stackTemplates?.filter((s) => missingPaths.has(s.templatePath)),
    });
    if (!attributable(report, [...missingPaths], options.successOf)) {
      // What the cache cannot file under one template must not be lost: report it with the cached
      // verdicts of the other templates, and keep nothing of this run.
      const known = mergeViolations([...cached.values()].flat());
      return {
        success: report.success && options.successOf(known),
        violations: mergeViolations([...known, ...report.violations]),
      };
    }
    fs.mkdirSync(directory, { recursive: true });
    for (const entry of missing) {
      const stored = replacePaths(violationsOf(report.violations, entry.templatePath), entry.templatePath);
      writeJsonAtomically(entry.file, stored);
      // Named as asked, as a warm run names them.
      cached.set(entry.templatePath, restorePaths(stored, entry.templatePath));
    }
  }

  const violations = mergeViolations(context.templatePaths.flatMap((p) => cached.get(p) ?? []));
  return { success: options.successOf(violations), violations };
}

/**
 * Whether `a` and `b` name the same template. Plugins may answer with an absolute path for a
 * relative one (cfn-guard does, when `cdk.out` is relative).
 */
function sameTemplate(a: string | undefined, b: string): boolean {
  return a !== undefined && path.resolve(a) === path.resolve(b);
}

/**
 * True when `report` can be stored template by template: the plugin's verdict is the one its
 * violations give under `successOf` (a failure the violations do not explain cannot be filed under a
 * template), every violation names at least one resource, and each resource one of `templatePaths`.
 */
function attributable<V extends CacheableViolation>(
  report: TemplateReport<V>,
  templatePaths: readonly string[],
  successOf: (violations: readonly V[]) => boolean,
): boolean {
  return (
    report.success === successOf(report.violations) &&
    report.violations.every(
      (v) =>
        v.violatingResources.length > 0 &&
        v.violatingResources.every((r) => templatePaths.some((p) => sameTemplate(r.templatePath, p))),
    )
  );
}

/** The violations of `report` that concern `templatePath`, each with only that template's resources. */
function violationsOf<V extends CacheableViolation>(violations: readonly V[], templatePath: string): V[] {
  return violations.flatMap((violation) => {
    const resources = violation.violatingResources.filter((r) => sameTemplate(r.templatePath, templatePath));
    return resources.length > 0 ? [{ ...violation, violatingResources: resources }] : [];
  });
}

/** One violation per rule, severity and description, with the resources of every template, as the plugins report. */
function mergeViolations<V extends CacheableViolation>(violations: readonly V[]): V[] {
  const merged = new Map<string, V>();
  for (const violation of violations) {
    const key = JSON.stringify([violation.ruleName, violation.severity, violation.description, violation.fix]);
    const existing = merged.get(key);
    merged.set(
      key,
      existing === undefined
        ? { ...violation, violatingResources: [...violation.violatingResources] }
        : { ...existing, violatingResources: [...existing.violatingResources, ...violation.violatingResources] },
    );
  }
  return [...merged.values()];
}

function replacePaths<V extends CacheableViolation>(violations: readonly V[], templatePath: string): V[] {
  return violations.map((v) => ({
    ...v,
    violatingResources: v.violatingResources.map((r) => ({
      ...r,
      templatePath: sameTemplate(r.templatePath, templatePath) ? TEMPLATE_PLACEHOLDER : r.templatePath,
    })),
  }));
}

function restorePaths<V extends CacheableViolation>(violations: readonly V[], templatePath: string): V[] {
  return violations.map((v) => ({
    ...v,
    violatingResources: v.violatingResources.map((r) => ({
      ...r,
      templatePath: r.templatePath === TEMPLATE_PLACEHOLDER ? templatePath : r.templatePath,
    })),
  }));
}

function readJson<V extends CacheableViolation>(file: string): V[] | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as V[];
  } catch {
    // Absent, or half-written by a process that died: validate again.
    return undefined;
  }
}

/** Two synthesis runs (CLI and Jest) may write the same entry at once: never leave a half-written file. */
function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(value));
  fs.renameSync(temporary, file);
}

/** The success rule of aws-cdk-lib's CloudFormation validation: no error or fatal violation. */
export function noBlockingViolation<V extends CacheableViolation>(violations: readonly V[]): boolean {
  return violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal');
}

/** The success rule of the cfn-guard validator: no violation at all. */
export function noViolation<V extends CacheableViolation>(violations: readonly V[]): boolean {
  return violations.length === 0;
}
