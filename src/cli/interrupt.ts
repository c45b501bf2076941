/**
 * Ctrl-C and SIGTERM: the first one closes what the command started (workers joined, Xvfb and
 * children killed, temp files removed) and lets the command finish; a second one exits at once.
 */
export function onInterrupt(close: () => void): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nvdpush: ${sig}: stopping...\n`);
      close();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
