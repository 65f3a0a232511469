'use strict';
/* global exports, process, require, URL */
// The script of every SyntheticCheck canary (`index.handler`). SyntheticCheck ships it as `index.js` at the
// root of the code zip and again at `nodejs/node_modules/index.js`, and passes what to check in the
// canary's environment variables, so that a base URL known only at deploy time never enters the code:
// - CHECK_BASE_URL: the site's origin, e.g. https://example.com;
// - CHECK_PLAN: a JSON array of checks, in order, each {"kind":"page"|"api","path":"/...","bodyIncludes"?:"..."}.
// One executeHttpStep per check, named `<kind> <path>` (the StepName of the step metrics). Every step runs
// even when an earlier one failed, so each URL has its own verdict; the run fails if any did. A step
// fails unless the URL answers 200 (redirects are not followed); a page also needs Content-Type text/html
// and an <html> element; a check with bodyIncludes needs that text in its body. Bodies are read up to
// their first MAX_BODY_CHARACTERS characters.
// The runtime's library, which Node finds in the canary's layers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@aws/synthetics-core');

const synthetics = core.synthetics || core;
const MAX_BODY_CHARACTERS = 1048576;
const EXCERPT_CHARACTERS = 200;

/** The checks of this run, from the environment; throws, naming the variable, when one is missing or malformed. */
function readPlan() {
  const base = process.env.CHECK_BASE_URL;
  const plan = process.env.CHECK_PLAN;
  if (!base || !plan) {
    throw new Error('CHECK_BASE_URL and CHECK_PLAN must both be set in the canary environment variables');
  }
  let origin;
  try {
    origin = new URL(base).origin;
  } catch {
    throw new Error('CHECK_BASE_URL ' + JSON.stringify(base) + ' is not a URL');
  }
  let checks;
  try {
    checks = JSON.parse(plan);
  } catch {
    throw new Error('CHECK_PLAN is not JSON');
  }
  const valid = (check) =>
    check !== null &&
    typeof check === 'object' &&
    (check.kind === 'page' || check.kind === 'api') &&
    typeof check.path === 'string' &&
    check.path.startsWith('/') &&
    (check.bodyIncludes === undefined || typeof check.bodyIncludes === 'string');
  if (!Array.isArray(checks) || checks.length === 0 || !checks.every(valid)) {
    throw new Error('CHECK_PLAN is not a non-empty array of {"kind":"page"|"api","path":"/...","bodyIncludes"?:"..."}');
  }
  return { origin, checks };
}

function verdict(check, href) {
  return (response) =>
    new Promise((resolve, reject) => {
      const type = String(response.headers['content-type'] || '');
      const fail = (reason) => {
        response.resume();
        reject(new Error(href + ' ' + reason));
      };
      if (response.statusCode !== 200) {
        fail('answered HTTP ' + response.statusCode + ', expected 200');
        return;
      }
      if (check.kind === 'page' && !/^text\/html\b/i.test(type)) {
        fail('answered Content-Type "' + type + '", expected text/html');
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        if (body.length < MAX_BODY_CHARACTERS) body += chunk;
      });
      response.on('error', reject);
      response.on('end', () => {
        body = body.slice(0, MAX_BODY_CHARACTERS);
        if (check.kind === 'page' && !/<html[\s>]/i.test(body)) {
          reject(new Error(href + ' answered 200 text/html without an <html> element'));
        } else if (check.bodyIncludes !== undefined && !body.includes(check.bodyIncludes)) {
          // The excerpt is what the site serves to anyone: it tells why (e.g. which dependency is down).
          reject(
            new Error(
              href +
                ' answered 200 without ' +
                JSON.stringify(check.bodyIncludes) +
                ' in its body, which begins ' +
                JSON.stringify(body.slice(0, EXCERPT_CHARACTERS)),
            ),
          );
        } else {
          resolve();
        }
      });
    });
}

exports.handler = async () => {
  const { origin, checks } = readPlan();
  const failures = [];
  for (const check of checks) {
    // Joined to the origin as text: a path such as //other.example must not leave the site.
    const url = new URL(origin + check.path);
    const options = {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port || undefined,
      path: url.pathname + url.search,
      method: 'GET',
      headers: {
        'User-Agent': synthetics.getCanaryUserAgentString(),
        Accept: check.kind === 'page' ? 'text/html' : 'application/json, */*',
      },
    };
    try {
      await synthetics.executeHttpStep(check.kind + ' ' + check.path, options, verdict(check, url.href));
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) {
    throw new Error(failures.length + ' of ' + checks.length + ' checks failed: ' + failures.join('; '));
  }
};
