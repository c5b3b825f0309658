// Checks editors/vscode/extension.js without VS Code: `vscode` and
// `vscode-languageclient/node` are replaced by recorders, and the test checks
// that activation starts `kstatec lsp` (or the configured command) over stdio
// for kstate documents and restarts it when the settings change.
'use strict';

const assert = require('assert');
const Module = require('module');
const path = require('path');

const extensionPath = path.resolve(process.argv[2]);
const settings = { 'server.path': 'kstatec', 'server.args': [] };
const clients = [];
let configListener;
const commands = {};
const errors = [];

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
    clients.push(this);
  }
  async start() {
    if (this.serverOptions.run.command === '/missing/kstatec') throw new Error('spawn ENOENT');
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
}

const fakeVscode = {
  workspace: {
    getConfiguration: (section) => {
      assert.strictEqual(section, 'kstate');
      return { get: (key) => settings[key] };
    },
    createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
    onDidChangeConfiguration: (listener) => {
      configListener = listener;
      return { dispose() {} };
    },
  },
  window: {
    showErrorMessage: (message) => {
      errors.push(message);
      return Promise.resolve(undefined);
    },
  },
  commands: {
    registerCommand: (name, fn) => {
      commands[name] = fn;
      return { dispose() {} };
    },
    executeCommand: () => Promise.resolve(),
  },
};

const realLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0 } };
  return realLoad.call(this, request, parent, isMain);
};

(async () => {
  const extension = require(extensionPath);
  const context = { subscriptions: [] };

  await extension.activate(context);
  assert.strictEqual(clients.length, 1, 'activation starts one client');
  const first = clients[0];
  assert.strictEqual(first.id, 'kstate', 'the client id is `kstate`, which ties it to kstate.trace.server');
  assert.deepStrictEqual(first.serverOptions.run, { command: 'kstatec', args: ['lsp'], transport: 0 });
  assert.deepStrictEqual(first.serverOptions.debug, first.serverOptions.run);
  assert.ok(first.clientOptions.documentSelector.some((s) => s.language === 'kstate' && s.scheme === 'file'));
  assert.strictEqual(first.clientOptions.synchronize.fileEvents.glob, '**/*.kstate');
  assert.ok(first.started, 'the client was started');
  assert.ok(commands['kstate.restartServer'], 'the restart command is registered');

  // A change of kstate.server.* restarts the server with the new command line.
  settings['server.path'] = '/opt/kstate/bin/kstatec';
  settings['server.args'] = ['--log', 'debug'];
  await configListener({ affectsConfiguration: (s) => s === 'kstate.server' || s === 'kstate' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.strictEqual(clients.length, 2, 'a settings change starts a new client');
  assert.ok(first.stopped, 'the old client was stopped');
  assert.deepStrictEqual(clients[1].serverOptions.run.args, ['lsp', '--log', 'debug']);
  assert.strictEqual(clients[1].serverOptions.run.command, '/opt/kstate/bin/kstatec');

  // Other settings do not restart it.
  await configListener({ affectsConfiguration: (s) => s === 'editor.tabSize' });
  assert.strictEqual(clients.length, 2);

  // A server that cannot start is reported, not thrown.
  settings['server.path'] = '/missing/kstatec';
  await commands['kstate.restartServer']();
  assert.strictEqual(clients.length, 3);
  assert.ok(errors.length === 1 && errors[0].includes('/missing/kstatec lsp'), `error message: ${errors}`);

  await extension.deactivate();
  console.log('client_test: 1 passed, 0 failed');
})().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
