// histmark for VS Code: starts `histmark lsp` for plain-text and Markdown
// files. Diagnostics appear in the Problems panel as you type, hovering a
// highlighted word explains it, the code lens above line 1 shows the mark,
// and the light bulb on a misspelt name corrects it.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

// The server's settings: everything under "histmark" but the command.
function settings() {
  const c = vscode.workspace.getConfiguration('histmark');
  return {
    topic: c.get('topic'),
    rubric: c.get('rubric'),
    rules: c.get('rules'),
    lists: c.get('lists'),
    kinds: c.get('kinds'),
  };
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration('histmark').get('path') || 'histmark';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'plaintext' },
    ],
    initializationOptions: settings(),
    // Sends workspace/didChangeConfiguration with {histmark: {...}} when
    // the settings change; the server rebuilds its rubric and re-marks.
    synchronize: { configurationSection: 'histmark' },
  };
  client = new LanguageClient('histmark', 'histmark', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
