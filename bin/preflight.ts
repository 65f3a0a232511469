#!/usr/bin/env node
import { preflight } from '../lib/operations/preflight-run';

// The exit code is set, not forced: pending output is flushed first.
void preflight(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
