// Shared by the tests of the Node tools (scripts/nag-gate, scripts/guard-gate, scripts/rollout-check): run a
// tool's main() in the test process or its command as a new process, and write one-stack cloud assemblies.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

/** A Writable that keeps what is written; text() returns it. */
export function capture() {
  const chunks = [];
  const stream = new Writable({ write(chunk, _encoding, done) { chunks.push(chunk); done(); } });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

/**
 * Runs a tool's `main(args, { stdout, stderr, ...io })` in this process, as its CLI wrapper does, and returns
 * { code, stdout, stderr }: synchronously when main returns the exit code, as a Promise when main returns one.
 */
export function runMain(main, args, io = {}) {
  const stdout = capture();
  const stderr = capture();
  const finish = (code) => ({ code, stdout: stdout.text(), stderr: stderr.text() });
  const code = main(args, { ...io, stdout, stderr });
  return code instanceof Promise ? code.then(finish) : finish(code);
}

/**
 * Runs `node <script> ...args` (a tool's real command) as a new process without blocking the tests that run
 * meanwhile; resolves to { code, stdout, stderr }, rejects if the process could not run or was killed.
 */
export function runScript(script, args, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { encoding: 'utf8', env }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

/**
 * Writes a cloud assembly of one stack into a new directory under `parent`, as `cdk synth` writes an
 * environment-agnostic stack (manifest version, artifact type, environment, templateFile, displayName), so the
 * CDK's cloud assembly API reads it like a real one. `extraFiles` (name -> JSON) go beside the template.
 */
export function writeOneStackAssembly(parent, template, { stackName, extraFiles = {} }) {
  const dir = fs.mkdtempSync(path.join(parent, 'asm-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '55.0.0',
    artifacts: {
      [stackName]: {
        type: 'aws:cloudformation:stack',
        environment: 'aws://unknown-account/unknown-region',
        properties: { templateFile: `${stackName}.template.json` },
        displayName: stackName,
      },
    },
  }));
  fs.writeFileSync(path.join(dir, `${stackName}.template.json`), JSON.stringify(template));
  for (const [f, content] of Object.entries(extraFiles)) fs.writeFileSync(path.join(dir, f), JSON.stringify(content));
  return dir;
}

/**
 * What the compliance gates' tests share. `gate(...args)` runs the gate's main() in this process (synchronous
 * for the cdk-nag gate, a Promise for the Control Tower gate); `gateCli(...args)` runs the real command as a new
 * process (a Promise). Both add `--json <file>` and return { code, stdout, stderr, report } (report = that JSON,
 * undefined if none was written). `makeAssembly(template, { stackName, extraFiles })` writes a one-stack assembly
 * under `tmpRoot`, the stack named `stackName` unless told otherwise. `io` is handed to every in-process main().
 */
export function gateHarness({ main, cli, tmpRoot, stackName, io = {} }) {
  let reports = 0;
  const reportFile = () => path.join(tmpRoot, `report-${reports++}.json`);
  const withReport = (file) => (r) => ({ ...r, report: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined });
  return {
    gate(...args) {
      const file = reportFile();
      const r = runMain(main, ['--json', file, ...args], io);
      return r instanceof Promise ? r.then(withReport(file)) : withReport(file)(r);
    },
    gateCli(...args) {
      const file = reportFile();
      return runScript(cli, ['--json', file, ...args]).then(withReport(file));
    },
    makeAssembly: (template, options = {}) => writeOneStackAssembly(tmpRoot, template, { stackName, ...options }),
  };
}
