export * from './network-stack';
export * from './data-stack';
