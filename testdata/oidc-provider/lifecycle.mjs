// lifecycle.mjs: how the test fixtures in this folder end. The Go test
// that started one stops it with SIGTERM, or simply goes away, closing the
// fixture's standard input; either way every listener closes at once.

// exitOnStop closes servers and exits on SIGTERM, SIGINT, and the end of
// standard input.
export function exitOnStop(...servers) {
  const stop = () => {
    for (const s of servers) {
      s.close();
      s.closeAllConnections();
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
