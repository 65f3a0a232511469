#!/usr/bin/env node
import { firstDeploy } from '../lib/operations/run-first-deploy';

process.exitCode = firstDeploy(process.argv.slice(2), process.env);
