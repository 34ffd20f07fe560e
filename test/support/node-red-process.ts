// Runs a real Node-RED (the one under test, see node-red-under-test.ts) as a child process with a fresh user
// directory, the way a user runs it, and answers HTTP questions against its admin API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveNodeRed } from './node-red-under-test';

export interface NodeRedProcess {
  url: string;
  /** The Node-RED process (for CPU readings in the bench). */
  pid: number;
  userDir: string;
  log: () => string;
  get(pathname: string, accept?: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts Node-RED on a free port. `prepare` fills the new user directory (install the package,
 * write flows.json) before Node-RED starts; `settings` is extra JavaScript object members for
 * settings.js (e.g. `adminAuth: {...}`).
 */
export async function startNodeRed(
  prepare: (userDir: string) => void,
  env: NodeJS.ProcessEnv = {},
  settings = '',
): Promise<NodeRedProcess> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-nr-'));
  prepare(userDir);
  const port = await freePort();
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    settingsFile,
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: 'test', ` +
      `logging: { console: { level: 'info' } }, editorTheme: { tours: false }, telemetry: { enabled: false }, ${settings} };\n`,
  );
  const red = resolveNodeRed('node-red/red.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [red, '--userDir', userDir, '--settings', settingsFile],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    await stopChild(child, 'SIGINT');
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(child, () => output, /Started flows/, 30000);
  } catch (e) {
    // A Node-RED that did not start in time is stopped here: the caller never got a handle on it.
    await stop();
    throw e;
  }

  return {
    url,
    pid: child.pid!,
    userDir,
    log: () => output,
    async get(pathname, accept = 'application/json') {
      const res = await fetch(url + pathname, { headers: { Accept: accept } });
      return { status: res.status, body: await res.text() };
    },
    stop,
  };
}

/** Resolves once `output()` matches `ready`; rejects if the child exits first or `ms` pass. */
export async function waitForOutput(
  child: ChildProcess,
  output: () => string,
  ready: RegExp,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready.test(output())) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`Node-RED did not start within ${ms / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops a child process with `signal`, and with SIGKILL if it is still there 5 s later. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
