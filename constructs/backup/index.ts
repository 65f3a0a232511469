export * from './backup-rules';
export * from './backup-vault';
export * from './backup-plan';
export * from './restore-testing';
