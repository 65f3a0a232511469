import * as path from 'node:path';

/** Where the shared synthesis of the test run lives (git-ignored). */
export const TEST_OUT = path.join(__dirname, '..', '..', '.test-out');
/** The cloud assembly of the shared synthesis. */
export const ASSEMBLY_DIR = path.join(TEST_OUT, 'cdk.out');
/** What the shared synthesis produced, for the test files. */
export const SUMMARY_FILE = path.join(TEST_OUT, 'summary.json');
