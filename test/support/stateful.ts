/**
 * Resource types whose replacement loses data or breaks consumers: replacing one must be a
 * deliberate, reviewed change, never the side effect of a refactor that moved a construct.
 */
export const STATEFUL_TYPES = [
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBProxy',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
  'AWS::ECR::Repository',
  'AWS::DynamoDB::Table',
  'AWS::EFS::FileSystem',
] as const;

/**
 * `"<type> <logicalId>"` for every stateful resource of a template, sorted.
 * Compare it with a pinned list: a difference means a stateful resource would be
 * created, replaced or deleted.
 */
export function statefulLogicalIds(template: { Resources?: Record<string, { Type: string }> }): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => (STATEFUL_TYPES as readonly string[]).includes(resource.Type))
    .map(([logicalId, resource]) => `${resource.Type} ${logicalId}`)
    .sort();
}
