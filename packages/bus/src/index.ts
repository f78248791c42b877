export * from './client';
export * from './errors';
export * from './registry';
export * from './schemas';
export * from './transport';
export * from './worker';
