export * from './cidr';
export * from './errors';
