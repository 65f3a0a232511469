import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server in .next/standalone: the runtime image needs no node_modules install.
  output: 'standalone',
  // This directory is the whole app: do not let Next pick the infrastructure repository above as its root.
  outputFileTracingRoot: path.dirname(fileURLToPath(import.meta.url)),
  poweredByHeader: false,
  // Loaded by Node.js rather than bundled, so that the OpenTelemetry redis instrumentation can hook it
  // (pg is external by default).
  serverExternalPackages: ['redis'],
};

export default nextConfig;
