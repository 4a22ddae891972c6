// Starts `ftx lsp` as the language server of .ftx files, over stdio.
// Everything the editor shows beyond colours (diagnostics, hover, completion,
// definitions, rename, formatting, quick fixes) comes from the server.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function start() {
  const command = vscode.workspace.getConfiguration('ftx').get('path') || 'ftx';
  const serverOptions = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ftx' },
      { scheme: 'untitled', language: 'ftx' },
    ],
  };
  client = new LanguageClient('ftx', 'ftx language server', serverOptions, clientOptions);
  client.start().catch((error) => {
    vscode.window.showErrorMessage(`Could not start \`${command} lsp\`: ${error.message}. Set "ftx.path" to the ftx executable.`);
  });
}

function stop() {
  const running = client;
  client = undefined;
  return running ? running.stop() : Promise.resolve();
}

function activate(context) {
  start();
  // A changed executable takes effect at once: the server is restarted.
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration('ftx.path')) {
      await stop();
      start();
    }
  }));
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
