/**
 * What RDS for PostgreSQL offers, as far as this project's config can name it.
 */

/**
 * PostgreSQL versions RDS has released, majors 16 to 18 (the project's range: RDS Proxy and the
 * construct's parameter groups are tested with them).
 *
 * Source: https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html,
 * as mirrored by aws-cdk-lib's `rds.PostgresEngineVersion` (2.276; test/config-aws.test.ts keeps the
 * two in step). RDS retires old minors over time: `aws rds describe-db-engine-versions --engine postgres`
 * lists what a region still creates.
 */
export const POSTGRES_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  '16': ['16.1', '16.2', '16.3', '16.4', '16.5', '16.6', '16.7', '16.8', '16.9', '16.10', '16.11', '16.12', '16.13'],
  '17': ['17.1', '17.2', '17.3', '17.4', '17.5', '17.6', '17.7', '17.8', '17.9'],
  '18': ['18.1', '18.2', '18.3'],
};

/** Every version of {@link POSTGRES_VERSIONS}. */
export const ALL_POSTGRES_VERSIONS: readonly string[] = Object.values(POSTGRES_VERSIONS).flat();

const STANDARD_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] as const;

/**
 * Graviton DB instance classes RDS for PostgreSQL runs as single instances, without the `db.` prefix
 * (the config names them so, e.g. `r7g.large`). Multi-AZ DB cluster-only classes (c6gd) are left out.
 *
 * Source: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html
 * (as of early 2026). Availability varies by region: `aws rds describe-orderable-db-instance-options
 * --engine postgres --db-instance-class db.<class> --region <region>`.
 */
export const POSTGRES_INSTANCE_CLASSES: Readonly<Record<string, readonly string[]>> = {
  t4g: ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'],
  m6g: STANDARD_SIZES,
  m6gd: STANDARD_SIZES,
  m7g: STANDARD_SIZES,
  m8g: [...STANDARD_SIZES, '24xlarge', '48xlarge'],
  r6g: STANDARD_SIZES,
  r6gd: STANDARD_SIZES,
  r7g: STANDARD_SIZES,
  r8g: [...STANDARD_SIZES, '24xlarge', '48xlarge'],
  x2g: STANDARD_SIZES,
};

/** Every class of {@link POSTGRES_INSTANCE_CLASSES}, e.g. `r7g.large`. */
export const ALL_POSTGRES_INSTANCE_CLASSES: readonly string[] = Object.entries(POSTGRES_INSTANCE_CLASSES).flatMap(
  ([family, sizes]) => sizes.map((size) => `${family}.${size}`),
);

/**
 * Allocated storage of gp3 volumes for RDS for PostgreSQL, in GiB.
 *
 * Source: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
 * ("20 GiB to 64 TiB" for PostgreSQL).
 */
export const POSTGRES_GP3_STORAGE_GIB = { min: 20, max: 65_536 } as const;

/**
 * Read replicas one PostgreSQL source instance can have.
 *
 * Source: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
 */
export const POSTGRES_MAX_READ_REPLICAS = 15;
