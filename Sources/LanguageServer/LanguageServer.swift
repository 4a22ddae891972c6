import Compiler
import DSL
import Foundation
import Support

/// The ftx language server: LSP over a pair of file descriptors (stdin/stdout for
/// `ftx lsp`). The compiler kept warm: every answer comes from the same parse, check
/// and format code as the CLI, computed once per document version, with positions
/// converted to LSP's UTF-16 at the edge.
///
/// One thread reads, answers and publishes, in order. Diagnostics of changed documents
/// are published when no further message is waiting (or after a few more messages), so a
/// burst of edits is checked once.
/// A malformed message gets a JSON-RPC error and the server reads on; the end of input
/// (or a client that stopped reading) ends it.
public final class LanguageServer {
    private let reader: FrameReader
    private let writer: FrameWriter
    private let version: String
    private let store = DocumentStore()
    private var initialized = false
    private var shuttingDown = false
    /// Documents whose current version's diagnostics are not yet published.
    private var unpublished: [String] = []
    /// Messages handled since the oldest unpublished change: a client that never pauses
    /// still gets its diagnostics after a few messages.
    private var handledSinceChange = 0
    private static let maxDeferredMessages = 8

    /// A server reading `input` and writing `output` (standard input and output by default); `version` goes into `serverInfo`.
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, version: String) {
        self.reader = FrameReader(descriptor: input)
        self.writer = FrameWriter(descriptor: output)
        self.version = version
    }

    /// Serves until `exit` or the end of input. Returns the exit code LSP prescribes:
    /// 0 when `shutdown` came first, else 1.
    public func run() -> Int32 {
        while true {
            if !unpublished.isEmpty, handledSinceChange >= Self.maxDeferredMessages || !reader.hasPendingInput { publishDiagnostics() }
            switch reader.next() {
            case .end:
                return shuttingDown ? 0 : 1
            case .badHeader(let reason):
                send(OutgoingMessage.error(id: .null, RPCError(code: .parseError, message: "unreadable message header: \(reason)")))
            case .body(let bytes):
                if !unpublished.isEmpty { handledSinceChange += 1 }
                if let code = handle(bytes) { return code }
            }
            if writer.closed { return shuttingDown ? 0 : 1 }
        }
    }

    private func send(_ message: JSONValue) { writer.send(JSONWriter.encode(message)) }

    /// Handles one message; returns an exit code when the message was `exit`.
    private func handle(_ bytes: [UInt8]) -> Int32? {
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBufferPointer { try JSONParser.parse(bytes: $0) }
        } catch {
            send(OutgoingMessage.error(id: .null, RPCError(code: .parseError, message: "\(error)")))
            return nil
        }
        switch IncomingMessage.classify(value) {
        case .failure(let failure):
            send(OutgoingMessage.error(id: failure.id, failure.error))
        case .success(.response):
            break
        case .success(.notification(let method, let params)):
            if method == "exit" { return shuttingDown ? 0 : 1 }
            // Before `initialize`, notifications are dropped (LSP); after `shutdown`, too.
            if initialized, !shuttingDown { notify(method, params) }
        case .success(.request(let id, let method, let params)):
            do {
                send(OutgoingMessage.result(id: id, try answer(method, params)))
            } catch let error as RPCError {
                send(OutgoingMessage.error(id: id, error))
            } catch {
                send(OutgoingMessage.error(id: id, RPCError(code: .internalError, message: "\(error)")))
            }
        }
        return nil
    }

    private func answer(_ method: String, _ params: JSONValue) throws -> JSONValue {
        if shuttingDown { throw RPCError(code: .invalidRequest, message: "the server is shutting down; only `exit` is accepted") }
        if method == "initialize" {
            if initialized { throw RPCError(code: .invalidRequest, message: "`initialize` was already received") }
            initialized = true
            return ["capabilities": Self.capabilities, "serverInfo": ["name": "ftx", "version": .string(version)]]
        }
        guard initialized else { throw RPCError(code: .serverNotInitialized, message: "the server is not initialized: send `initialize` first") }
        switch method {
        case "shutdown":
            shuttingDown = true
            return .null
        case "textDocument/hover":
            return try at(params) { Hover.answer($0, at: $1) }
        case "textDocument/completion":
            return try at(params) { Completion.answer($0, at: $1, store: self.store) }
        case "textDocument/definition":
            return try at(params) { NameNavigation.definition($0, at: $1) }
        case "textDocument/references":
            let include = params["context"]?["includeDeclaration"]?.boolValue ?? true
            return try at(params) { NameNavigation.references($0, at: $1, includeDeclaration: include) }
        case "textDocument/prepareRename":
            return try at(params) { Rename.prepare($0, at: $1) }
        case "textDocument/rename":
            guard let newName = params["newName"]?.stringValue else { throw RPCError(code: .invalidParams, message: "`newName` must be a string") }
            return try at(params) { try Rename.edit($0, at: $1, to: newName) }
        case "textDocument/documentSymbol":
            return try document(params).map(DocumentSymbols.answer) ?? .null
        case "textDocument/formatting":
            return try document(params).map(Formatting.answer) ?? .null
        case "textDocument/codeAction":
            guard let snapshot = try document(params) else { return .null }
            guard let range = snapshot.file.span(of: params["range"]) else { throw RPCError(code: .invalidParams, message: "`range` must be an LSP range") }
            return CodeActions.answer(snapshot, range: range)
        default:
            throw RPCError(code: .methodNotFound, message: "unknown method `\(method)`")
        }
    }

    /// The open document `params.textDocument.uri` (nil when it is not open).
    private func document(_ params: JSONValue) throws -> DocumentSnapshot? {
        guard let uri = params["textDocument"]?["uri"]?.stringValue else {
            throw RPCError(code: .invalidParams, message: "`textDocument.uri` must be a string")
        }
        return store[uri]
    }

    /// Answers a request about `params.position` of an open document (null when it is not open).
    private func at(_ params: JSONValue, _ body: (DocumentSnapshot, Int) throws -> JSONValue) throws -> JSONValue {
        guard let snapshot = try document(params) else { return .null }
        guard let position = LSPPosition(params["position"]) else { throw RPCError(code: .invalidParams, message: "`position` must be {line, character}") }
        return try body(snapshot, snapshot.file.offset(of: position))
    }

    private func notify(_ method: String, _ params: JSONValue) {
        let document = params["textDocument"]
        guard let uri = document?["uri"]?.stringValue else { return }
        switch method {
        case "textDocument/didOpen":
            guard let text = document?["text"]?.stringValue else { return }
            store.open(uri: uri, version: document?["version"]?.intValue ?? 0, text: text)
            markUnpublished(uri)
        case "textDocument/didChange":
            guard let current = store[uri], let changes = params["contentChanges"]?.arrayValue else { return }
            var text = current.file.text
            for change in changes {
                guard let newText = change["text"]?.stringValue else { continue }
                if let range = change["range"] {
                    // Incremental edits are applied too, though full sync is what is advertised.
                    let file = SourceFile(path: "", text: text)
                    guard let span = file.span(of: range) else { continue }
                    text = String(decoding: file.bytes[..<span.start] + Array(newText.utf8) + file.bytes[span.end...], as: UTF8.self)
                } else {
                    text = newText
                }
            }
            store.open(uri: uri, version: document?["version"]?.intValue ?? current.version + 1, text: text)
            markUnpublished(uri)
        case "textDocument/didSave":
            // Files beside the document (data, models) may have changed; the cache sees their new stamps.
            if let current = store[uri] {
                store.open(uri: uri, version: current.version, text: current.file.text)
                markUnpublished(uri)
            }
        case "textDocument/didClose":
            store.close(uri: uri)
            unpublished.removeAll { $0 == uri }
            send(OutgoingMessage.notification("textDocument/publishDiagnostics", DiagnosticsPublisher.cleared(uri: uri)))
        default:
            break  // `$/cancelRequest`, `$/setTrace`, `workspace/…`: nothing to do
        }
    }

    private func markUnpublished(_ uri: String) {
        if !unpublished.contains(uri) { unpublished.append(uri) }
    }

    private func publishDiagnostics() {
        for uri in unpublished {
            guard let snapshot = store[uri] else { continue }
            send(OutgoingMessage.notification("textDocument/publishDiagnostics", DiagnosticsPublisher.params(snapshot)))
        }
        unpublished.removeAll()
        handledSinceChange = 0
    }

    /// What the server does, advertised as it is: full document sync, and the features below.
    static let capabilities: JSONValue = [
        "positionEncoding": "utf-16",
        "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": false]],
        "hoverProvider": true,
        "completionProvider": ["triggerCharacters": ["=", "(", ",", ".", "\"", "[", "{", ":"], "resolveProvider": false],
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": ["prepareProvider": true],
        "documentSymbolProvider": true,
        "documentFormattingProvider": true,
        "codeActionProvider": ["codeActionKinds": ["quickfix"]],
    ]
}
