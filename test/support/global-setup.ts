import { execFileSync } from 'node:child_process';

/**
 * Builds the package once before the tests, so that the CLI tests run the real binary
 * (`dist/cli.js`) as a process, as a user does, even straight after `npm ci`.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/tsup/dist/cli-default.js', '--silent'], { stdio: 'inherit' });
}
