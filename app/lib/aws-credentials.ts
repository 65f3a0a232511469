import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

/** AWS credentials as the signers need them (structurally the SDK's `AwsCredentialIdentity`). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Returns current credentials; the SDK provider caches them and refreshes them before they expire. */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

let shared: AwsCredentialsProvider | undefined;

/**
 * The task role's credentials (ECS container credentials endpoint on Fargate; environment, profile or
 * SSO locally), one provider for the whole process so that the database and cache signers share one
 * cached set instead of each calling the credentials endpoint.
 */
export function defaultCredentialsProvider(): AwsCredentialsProvider {
  shared ??= fromNodeProviderChain();
  return shared;
}

/** The region the task runs in: ECS sets `AWS_REGION`; `AWS_DEFAULT_REGION` is the CLI's older name. */
export function regionFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
}

/** `undefined` for unset and blank values, so that `FOO=` counts as unset. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
