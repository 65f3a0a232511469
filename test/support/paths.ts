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

/** The context of `cdk.json` (feature flags), as the CLI hands it to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(__dirname, '..', '..', 'cdk.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { context: Record<string, unknown> }).context;
}
