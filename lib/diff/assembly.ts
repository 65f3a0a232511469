import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as JSON. */
export type Template = Record<string, unknown>;

/** One stack of a cloud assembly, with its template read. */
export interface AssemblyStack {
  /** Artifact ID, e.g. `ProdData90A795AA`. */
  readonly artifactId: string;
  /** Construct path, e.g. `Prod/Data`; the artifact ID when the manifest has none. */
  readonly displayName: string;
  /** The CloudFormation stack name, e.g. `Prod-Data`. */
  readonly stackName: string;
  /** `aws://<account>/<region>`. */
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  /** The template file, for messages. */
  readonly templateFile: string;
  readonly template: Template;
}

/** A stack of base and its counterpart in head; either is undefined for a stack only one side has. */
export interface StackPair {
  readonly base?: AssemblyStack;
  readonly head?: AssemblyStack;
}

/** A cloud assembly's stacks, nested assemblies (stages) included, in manifest order. */
export interface Assembly {
  /** The directory it was read from. */
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
}

/** Bad input: a missing directory, a directory that is no cloud assembly, an unreadable template. */
export class DiffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

/**
 * Reads the stacks of the cloud assembly in `directory` (what `cdk synth -o` writes): its `manifest.json`,
 * the artifacts of type `aws:cloudformation:stack` and, recursively, the nested assemblies of stages
 * (`cdk:cloud-assembly`, `assembly-<stage>/`).
 *
 * The manifest is read as plain JSON, not with the cloud-assembly schema's version check: an assembly
 * written by another CDK version (an older commit's) must still be readable.
 *
 * @param label how messages name the assembly, e.g. `--base`
 * @throws DiffInputError when the directory is missing or is not a cloud assembly
 */
export function readAssembly(directory: string, label: string): Assembly {
  const root = path.resolve(directory);
  if (!fs.existsSync(root)) throw new DiffInputError(`${label} ${directory}: no such directory`);
  if (!fs.statSync(root).isDirectory()) throw new DiffInputError(`${label} ${directory}: not a directory`);
  if (!fs.existsSync(path.join(root, 'manifest.json'))) {
    throw new DiffInputError(
      `${label} ${directory}: not a cloud assembly (no manifest.json); give the directory \`cdk synth -o\` wrote, e.g. cdk.out`,
    );
  }
  const stacks: AssemblyStack[] = [];
  readManifest(root, label, stacks, new Set());
  return { directory: root, stacks };
}

function readManifest(directory: string, label: string, stacks: AssemblyStack[], seen: Set<string>): void {
  if (seen.has(directory)) return;
  seen.add(directory);
  const manifestFile = path.join(directory, 'manifest.json');
  const manifest = readJson(manifestFile, label) as { artifacts?: Record<string, ManifestArtifact> };
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new DiffInputError(`${label}: ${manifestFile} is not a cloud assembly manifest (not a JSON object)`);
  }
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const nested = artifact.properties?.directoryName;
      if (nested === undefined) continue;
      const nestedDirectory = path.join(directory, nested);
      if (!fs.existsSync(path.join(nestedDirectory, 'manifest.json'))) {
        throw new DiffInputError(`${label}: nested assembly ${nested} of ${manifestFile} has no manifest.json`);
      }
      readManifest(nestedDirectory, label, stacks, seen);
    } else if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = artifact.properties?.templateFile;
      if (templateFile === undefined) {
        throw new DiffInputError(`${label}: stack ${artifactId} in ${manifestFile} names no templateFile`);
      }
      const file = path.join(directory, templateFile);
      const template = readJson(file, label);
      if (typeof template !== 'object' || template === null || Array.isArray(template)) {
        throw new DiffInputError(`${label}: ${file} is not a CloudFormation template (not a JSON object)`);
      }
      const environment = artifact.environment ?? 'aws://unknown-account/unknown-region';
      const [account = 'unknown-account', region = 'unknown-region'] = environment.replace(/^aws:\/\//, '').split('/');
      stacks.push({
        artifactId,
        displayName: artifact.displayName ?? artifactId,
        stackName: artifact.properties?.stackName ?? artifactId,
        environment,
        account,
        region,
        templateFile: file,
        template: template as Template,
      });
    }
  }
}

function readJson(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new DiffInputError(`${label}: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DiffInputError(`${label}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
