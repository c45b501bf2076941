/**
 * One band of an I420 conversion handed to a helper thread (i420-bands.ts, i420-band-worker.ts):
 * the layout of its control words, in a SharedArrayBuffer of its own per helper, written by the
 * host and read by the helper, and the reverse for STATE and RESULT.
 *
 * Protocol: the host writes every field, then STATE = Job and notifies; the helper converts, writes
 * RESULT, then STATE = Done and notifies; the host sets STATE = Idle before the next job. Buffers
 * are named by the ids the host gave them when it sent them (a 'buffer' message on the helper's
 * port, always before the first job that names them).
 */
export const JobWord = {
  State: 0,
  SrcId: 1,
  SrcOffset: 2,
  SrcLength: 3,
  Width: 4,
  Height: 5,
  Stride: 6,
  Format: 7,
  OutId: 8,
  OutOffset: 9,
  OutLength: 10,
  X0: 11,
  Y0: 12,
  X1: 13,
  Y1: 14,
  Result: 15,
} as const;
export const JOB_WORDS = 16;

export const JobState = { Idle: 0, Job: 1, Done: 2, Exit: 3 } as const;

/**
 * How many buffers a helper keeps (a ring's and the picture buffers'; a ring recreated at another
 * mode is a new one): both sides keep the last MAX_HELPER_BUFFERS sent, oldest out first, so the
 * helper holds no retired ring alive and the host knows when to send one again.
 */
export const MAX_HELPER_BUFFERS = 8;

/** What the host sends a helper before naming a buffer in a job. */
export interface BufferMessage {
  kind: 'buffer';
  id: number;
  buffer: SharedArrayBuffer;
}
