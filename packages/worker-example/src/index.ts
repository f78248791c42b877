export { EXAMPLE_DEFAULTS, type ExampleConfig, ExampleWorker } from './example-worker';
