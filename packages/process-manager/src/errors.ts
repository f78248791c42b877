/**
 * Error codes of @vj/process-manager, one place for all of them. Each code
 * names an area and a problem, and a retired code is never reused. Errors are
 * thrown as `VjError` from @vj/bus with one of these codes.
 */
export const PmErrorCodes = {
  /** An option of the process manager or its restart policy is invalid. The message names the option, its value and what is expected. */
  VJ_PM_INVALID_OPTIONS: 'VJ_PM_INVALID_OPTIONS',
  /** A pm2 call failed or the pm2 daemon could not be reached or stopped; the message has pm2's text and PM2_HOME. */
  VJ_PM_PM2_FAILED: 'VJ_PM_PM2_FAILED',
  /** esbuild could not build a worker's bundle; the message has esbuild's first error and its place. */
  VJ_PM_BUNDLE_FAILED: 'VJ_PM_BUNDLE_FAILED',
  /** The pm2 adapter was used before connect() or after disconnect(). */
  VJ_PM_NOT_CONNECTED: 'VJ_PM_NOT_CONNECTED',
  /** A command named a worker that the process manager does not supervise; the message lists the known ones. */
  VJ_PM_UNKNOWN_WORKER: 'VJ_PM_UNKNOWN_WORKER',
} as const;

export type PmErrorCode = keyof typeof PmErrorCodes;
