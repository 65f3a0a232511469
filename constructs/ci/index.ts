export * from './ci-rules';
export * from './github-oidc';
export * from './github-deploy-role';
