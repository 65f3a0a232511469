export * from './cache-cluster';
export * from './cache-rules';
export * from './data-services';
export * from './database-bootstrap';
export * from './postgres-database';
export * from './postgres-rules';
export * from './secure-bucket';
export * from './secure-bucket-rules';
