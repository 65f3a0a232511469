import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the shared synthesis of the test run lives (git-ignored). `LA_TEST_OUT` moves it, so two
 * runs on one machine do not overwrite each other's templates.
 */
export const TEST_OUT = process.env.LA_TEST_OUT ?? path.join(__dirname, '..', '..', '.test-out');
/** The cloud assembly of the shared synthesis. */
export const ASSEMBLY_DIR = path.join(TEST_OUT, 'cdk.out');
/** What the shared synthesis produced, for the test files. */
export const SUMMARY_FILE = path.join(TEST_OUT, 'summary.json');

/**
 * The context the CLI hands the app: `cdk.json`'s (feature flags) plus the CLI's defaults, so the
 * tests judge the very templates `cdk synth` writes. They matter: version reporting adds the
 * `CDKMetadata` resource and its region condition, under which aws-cdk-lib's CloudFormation
 * validation no longer reports hard-coded zones (W3010); path and asset metadata change every
 * template's bytes, so with them the suite and the CLI share the validation cache.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(__dirname, '..', '..', 'cdk.json');
  const { context } = JSON.parse(fs.readFileSync(file, 'utf8')) as { context: Record<string, unknown> };
  return {
    ...context,
    'aws:cdk:version-reporting': true,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
}
