/** The `vdpush` command's exit codes, defined once (the issues name them; scripts match on them). */
export const EXIT_OK = 0;
/** A runtime failure that is not the user's input (a crash of a worker, an I/O error). */
export const EXIT_FAILURE = 1;
/** Bad arguments: an unknown flag, a malformed mode, duration or fault schedule. */
export const EXIT_USAGE = 2;
/** The run ended on a critical error (the driver called reportCriticalError). */
export const EXIT_CRITICAL = 3;
/** The simulated OS bugchecked: the driver made a call a real IddCx punishes (the summary says which). */
export const EXIT_BUGCHECK = 4;
