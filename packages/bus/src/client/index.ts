export * from './bus-client';
