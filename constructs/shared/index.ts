export * from './cidr';
export * from './errors';
export * from './service-role';
export * from './grants';
export * from './principals';
export * from './problems';
export * from './metric-options';
export * from './closed-egress';
