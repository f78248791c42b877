/**
 * @internal Tells whether a process with `pid` exists on this machine. EPERM
 * means it exists but belongs to another user.
 */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
