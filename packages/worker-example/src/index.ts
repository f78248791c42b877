export * from './example-worker';
