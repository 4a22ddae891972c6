import Foundation
import LanguageServer

/// `ftx lsp`: the language server on stdin/stdout (LanguageServer does the work).
enum LspCommand {
    static let subcommand = Subcommand(
        name: "lsp",
        summary: "a Language Server Protocol server on stdin/stdout, for editors",
        usage: "ftx lsp",
        signature: CommandSignature(flags: ["--stdio"], options: [], minPositionals: 0, maxPositionals: 0),
        run: { _, _ in LanguageServer(version: ftxVersion).run() })
}
