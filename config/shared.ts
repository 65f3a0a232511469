/**
 * Values several environments share. Still data: a change here is a change to every environment
 * that uses it, reviewed as such.
 */

/** The product's name as people read it, in descriptions and comments of what we deploy. */
export const PROJECT_TITLE = 'Learning Assistant';

/**
 * Content-Security-Policy of the Next.js app. Next.js inlines its bootstrap scripts and styles,
 * hence 'unsafe-inline' until the app adopts nonces.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
  'upgrade-insecure-requests',
].join('; ');

/**
 * The GitHub repository whose workflows deploy (a placeholder until the real one is known; each
 * environment can override it with `-c <env>:githubRepository=owner/name` or
 * `LA_<ENV>_GITHUB_REPOSITORY`).
 */
export const GITHUB_REPOSITORY = 'example-org/learning-assistant';
