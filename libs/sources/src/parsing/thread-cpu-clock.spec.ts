import { FIRST_FIELD, ownThreadStatPath, threadCpuMs, threadStatFields } from './thread-cpu-clock';

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('thread CPU clock', () => {
  onLinux('reads the calling thread’s own CPU time, which grows with work done', () => {
    const statPath = ownThreadStatPath();
    expect(statPath).toMatch(new RegExp(`^/proc/${process.pid}/task/\\d+/stat$`));
    const before = threadCpuMs(statPath!);
    expect(before).not.toBeNull();
    // busy until the clock moves by three ticks (or for 5 s, on a machine busy enough to keep this thread off)
    let after = before!;
    const until = Date.now() + 5000;
    while (after - before! < 30 && Date.now() < until) after = threadCpuMs(statPath!)!;
    expect(after - before!).toBeGreaterThanOrEqual(30);
    // field 1 of proc(5) is not among the fields, field 3 (the state) is the first; field 4 is the parent's pid
    expect(threadStatFields(statPath!)![4 - FIRST_FIELD]).toBe(String(process.ppid));
  });

  it('reads nothing of a thread that is gone', () => {
    expect(threadCpuMs('/proc/0/task/0/stat')).toBeNull();
    expect(threadStatFields('/proc/0/task/0/stat')).toBeNull();
  });
});
