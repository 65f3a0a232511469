/**
 * Translation from config (plain data) to construct props (CDK types), one file per layer.
 * Stacks receive the result and only wire constructs together.
 */
export * from './common';
export * from './network';
export * from './data';
export * from './registry';
export * from './compute';
export * from './edge';
export * from './monitoring';
export * from './dr';
export * from './ci';
