// The pol extension: highlighting comes from syntaxes/pol.tmLanguage.json alone; this file starts the
// language server (pol lsp) once `npm install` has put vscode-languageclient beside it.
"use strict";
const vscode = require("vscode");

let client;

function activate(context) {
  let languageclient;
  try {
    languageclient = require("vscode-languageclient/node");
  } catch (error) {
    vscode.window.showInformationMessage("pol：在扩展文件夹中运行 npm install，即可启用 pol lsp（检查、悬停说明、补全、格式化）。");
    return;
  }
  const [command, ...args] = vscode.workspace.getConfiguration("pol").get("server.command", ["pol", "lsp"]);
  const server = { command, args, transport: languageclient.TransportKind.stdio };
  client = new languageclient.LanguageClient("pol", "pol lsp", server, {
    documentSelector: [{ language: "pol" }],
  });
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
