#!/usr/bin/env node
// Stands in for the cdk CLI: appends its arguments to $FAKE_CDK_LOG and fails for $FAKE_CDK_FAIL_ON.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_CDK_LOG, `${args.join(' ')}\n`);
process.exit(process.env.FAKE_CDK_FAIL_ON !== undefined && args.includes(process.env.FAKE_CDK_FAIL_ON) ? 3 : 0);
