/** What the local cloud asks of other processes on the machine. */

/**
 * Whether a process runs: signal 0 tests for it without sending anything. EPERM means it runs
 * under another user.
 *
 * @param pid - The process id.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
