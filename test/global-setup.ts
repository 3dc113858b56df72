import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** End-to-end suites start real processes from dist/: build it once per run. */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
