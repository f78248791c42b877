export * from './options';
export * from './worker';
