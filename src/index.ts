/** vdpush's public API. */
export * as contract from './contract/index.js';
export * from './contract/errors.js';
