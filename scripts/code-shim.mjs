#!/usr/bin/env node
// A "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }) on machines
// where desktop VS Code cannot be downloaded: it takes the desktop command line
//   [folder] --extensionDevelopmentPath=P… --extensionTestsPath=T [--user-data-dir=D] [--extensions-dir=E] …
// runs the extension tests in code-server (through test/e2e/harness.ts) and exits with their exit
// code, so the standard runTests call works here unchanged and downloads real VS Code elsewhere.
// Flags meant for Electron (--no-sandbox, --disable-gpu-sandbox, --skip-welcome…) do not apply and
// are ignored. Needs `node scripts/e2e-setup.mjs` once.
import { register } from 'tsx/esm/api';

register();
const { checkEnvironment, runExtensionTests } = await import('../test/e2e/harness.ts');

const argv = process.argv.slice(2);
const values = (name) => argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const devPaths = values('extensionDevelopmentPath');
const testsPath = values('extensionTestsPath')[0];
const folder = argv.find((a) => !a.startsWith('-'));

if (devPaths.length === 0 || !testsPath) {
  console.error('code-shim: only extension test runs are supported: pass --extensionDevelopmentPath=DIR and --extensionTestsPath=FILE');
  process.exit(2);
}
const env = checkEnvironment();
if (!env.ok) {
  console.error(`code-shim: ${env.reason}; run \`node scripts/e2e-setup.mjs\` first`);
  process.exit(2);
}
try {
  const r = await runExtensionTests({
    env: env.env,
    extensionDevelopmentPaths: devPaths,
    extensionTestsPath: testsPath,
    folder,
    userDataDir: values('user-data-dir')[0],
    extensionsDir: values('extensions-dir')[0],
    timeoutMs: Number(process.env.OVNLAB_SHIM_TIMEOUT_MS ?? 300_000),
  });
  process.exit(r.exitCode);
} catch (e) {
  console.error(`code-shim: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
}
