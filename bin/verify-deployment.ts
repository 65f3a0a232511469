#!/usr/bin/env node
import { verifyDeployment } from '../lib/operations/verify-deployment-run';

// The exit code is set, not forced: pending output is flushed first.
void verifyDeployment(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
