// The VS Code client for .kstate files: starts `kstatec lsp` over stdio and
// restarts it when its settings change. All language features live in the
// server; this file only wires it up.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

// The command line from the settings `kstate.server.path` and `kstate.server.args`.
function serverCommand() {
  const config = vscode.workspace.getConfiguration('kstate');
  const command = config.get('server.path') || 'kstatec';
  const extra = config.get('server.args') || [];
  return { command, args: ['lsp', ...extra] };
}

async function start(context) {
  const { command, args } = serverCommand();
  const executable = { command, args, transport: TransportKind.stdio };
  const serverOptions = { run: executable, debug: executable };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'kstate' },
      { scheme: 'untitled', language: 'kstate' },
    ],
    synchronize: {
      // Imported files change diagnostics of the files that import them.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.kstate'),
    },
  };
  // The id `kstate` makes the setting `kstate.trace.server` control tracing.
  client = new LanguageClient('kstate', 'kstate', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message =
      `kstate: could not start \`${command} ${args.join(' ')}\` (${err.message || err}). ` +
      'Install kstatec on PATH or set `kstate.server.path`.';
    vscode.window.showErrorMessage(message, 'Open settings').then((choice) => {
      if (choice) vscode.commands.executeCommand('workbench.action.openSettings', 'kstate.server');
    });
  }
  context.subscriptions.push({ dispose: () => stop() });
}

async function stop() {
  if (!client) return;
  const old = client;
  client = undefined;
  try {
    await old.stop();
  } catch (_) {
    // A server that never started cannot be stopped; nothing to clean up.
  }
}

async function restart(context) {
  await stop();
  await start(context);
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('kstate.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('kstate.server')) restart(context);
    }),
  );
  return start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, serverCommand };
