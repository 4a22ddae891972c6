import DSL
import Foundation
import Support
import XCTest

/// Issue 19: `ftx lsp` driven through pipes as an editor drives it — open a file with
/// errors, fix it by an edit, then hover, completion, definition, references, rename,
/// outline, formatting and quick fixes, shutdown and exit — checking every answer,
/// on lines where multi-byte characters come before the token (UTF-16 columns).
final class LanguageServerSessionTests: XCTestCase {
    /// A folder with the experiment and its data: columns `数据🚀`, `x2`, `label`.
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "数据🚀,x2,label\n"
        for i in 0..<20 { csv += "\(i),\(20 - i),\(i % 2)\n" }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("数据🚀.csv"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    static let broken = """
    # 数据 🚀: a language-server session
    experiment demo {
      seed = 0
    }

    data points {
      source = csv("数据🚀.csv")
      label = "label"
      features = ["数据🚀", "x3"]
    }

    model mlp {
      input = 2
      layers = [dense(8, activation: relu)]
      head = dense(2)
    }

    stage pretrain {
      model = mlp
      data = points where label < 5
      optimizer = adamw(lr: 1e-3)
      schedule {
        epochs = 2
        batch_sise = 16  # ftx: allow(W0304)
      }
      sweep grid {
        optimizer.lr = [1e-3, 3e-3]
      }
      select = best(valid.accuracy)
    }

    stage finetune {
      init = pretrain
      data = points
      freeze = ["layers.0"]
      optimizer = sgd(lr: 1e-2)
      schedule {  # ftx: allow(W0305)
        epochs = 1
      }
    }

    """

    func testEditorSession() throws {
        let uri = folder.appendingPathComponent("session.ftx").absoluteString
        let doc: JSONValue = ["uri": .string(uri)]
        let session = try LSPSession()
        let capabilities = try session.initialize()
        XCTAssertEqual(capabilities["textDocumentSync"]?["change"], 1, "full document sync")
        for provider in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider", "documentFormattingProvider"] {
            XCTAssertEqual(capabilities[provider], true, provider)
        }

        // Open with two errors: an unknown column and a misspelt key, each with a "did you mean".
        var text = Self.broken
        session.notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": "ftx", "version": 1, "text": .string(text)]])
        let opened = try session.notification("textDocument/publishDiagnostics") { $0["version"] == 1 }
        let diagnostics = try XCTUnwrap(opened["diagnostics"]?.arrayValue)
        XCTAssertEqual(diagnostics.count, 2, "\(diagnostics)")
        let column = try XCTUnwrap(diagnostics.first { $0["message"]?.stringValue?.contains("x3") == true }, "\(diagnostics)")
        let x3 = try XCTUnwrap(lspPosition(of: "\"x3\"", in: text))
        XCTAssertEqual(column["range"]?["start"], ["line": .int(x3.line), "character": .int(x3.character)], "UTF-16 column after 数据🚀")
        XCTAssertEqual(column["severity"], 1)
        XCTAssertTrue(column["message"]?.stringValue?.contains("help: did you mean") == true, "the renderer's help: \(column)")
        let key = try XCTUnwrap(diagnostics.first { $0["code"] == "E0148" }, "\(diagnostics)")
        let sise = try XCTUnwrap(lspPosition(of: "batch_sise", in: text))
        XCTAssertEqual(key["range"], ["start": ["line": .int(sise.line), "character": .int(sise.character)],
                                      "end": ["line": .int(sise.line), "character": .int(sise.character + 10)]])

        // Quick fixes: each diagnostic's fix-it, as an edit of its range.
        for (diagnostic, replacement) in [(key, "batch_size"), (column, "\"x2\"")] {
            let actions = try XCTUnwrap(session.request("textDocument/codeAction", ["textDocument": doc, "range": diagnostic["range"] ?? .null,
                                                                                     "context": ["diagnostics": [diagnostic]]])["result"]?.arrayValue)
            XCTAssertEqual(actions.count, 1, "\(actions)")
            XCTAssertEqual(actions.first?["kind"], "quickfix")
            let edits = actions.first?["edit"]?["changes"]?[uri]?.arrayValue
            XCTAssertEqual(edits?.count, 1)
            XCTAssertEqual(edits?.first?["newText"]?.stringValue, replacement)
            XCTAssertEqual(edits?.first?["range"]?["start"], diagnostic["range"]?["start"])
        }

        // Fix both by an edit: the new version checks clean.
        text = text.replacingOccurrences(of: "batch_sise", with: "batch_size").replacingOccurrences(of: "\"x3\"", with: "\"x2\"")
        session.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [["text": .string(text)]]])
        let fixed = try session.notification("textDocument/publishDiagnostics") { $0["version"] == 2 }
        XCTAssertEqual(fixed["diagnostics"], [], "\(fixed)")

        func at(_ needle: String, _ delta: Int = 0) throws -> JSONValue {
            let p = try XCTUnwrap(lspPosition(of: needle, in: text, delta: delta), needle)
            return ["textDocument": doc, "position": ["line": .int(p.line), "character": .int(p.character)]]
        }
        func markdown(_ answer: JSONValue) -> String { answer["result"]?["contents"]?["value"]?.stringValue ?? "" }

        // Hover: a schedule key's documentation, type, range and default; a swept argument's values; a model name.
        let batch = markdown(try session.request("textDocument/hover", at("batch_size", 3)))
        XCTAssertTrue(batch.contains("Rows per batch"), batch)
        XCTAssertTrue(batch.contains("- Range: ≥ 1"), batch)
        XCTAssertTrue(batch.contains("- Default: `32`"), batch)
        let lr = markdown(try session.request("textDocument/hover", at("adamw(lr", 7)))
        XCTAssertTrue(lr.contains("The base learning rate."), lr)
        XCTAssertTrue(lr.contains("Swept (`sweep grid`, line 27): `0.001`, `0.003`"), lr)
        // Where each trial's value came from, as `ftx explain` says it (SettingOrigins).
        XCTAssertTrue(lr.contains("Resolved in the stage's 2 trials:\n- `0.001` ← sweep grid, axis optimizer.lr at 27:5, value 1 of 2\n- `0.003` ← sweep grid, axis optimizer.lr at 27:5, value 2 of 2"), lr)
        XCTAssertTrue(batch.contains("Resolved in all 2 trials: `16` ← 24:5 in stage `pretrain`"), batch)
        let model = try session.request("textDocument/hover", at("model = mlp", 9))
        XCTAssertTrue(markdown(model).hasPrefix("**model `mlp`** (line 12)"), markdown(model))
        let mlpUse = try XCTUnwrap(lspPosition(of: "model = mlp", in: text, delta: 8))
        XCTAssertEqual(model["result"]?["range"]?["start"], ["line": .int(mlpUse.line), "character": .int(mlpUse.character)])

        // Completion: calls after `optimizer = `; the model's parameters inside `freeze`; columns after 数据🚀.
        func labels(_ answer: JSONValue) -> [String] { answer["result"]?["items"]?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? [] }
        let optimizers = labels(try session.request("textDocument/completion", at("optimizer = sgd", 12)))
        XCTAssertEqual(optimizers, ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
        let parameters = labels(try session.request("textDocument/completion", at("\"layers.0\"", 1)))
        XCTAssertEqual(parameters, ["layers", "layers.0", "layers.0.weight", "layers.0.bias", "head", "head.weight", "head.bias"])
        let columns = try session.request("textDocument/completion", at("\"x2\"", 1))
        XCTAssertEqual(labels(columns), ["数据🚀", "x2", "label"])
        let x2 = try XCTUnwrap(lspPosition(of: "\"x2\"", in: text, delta: 1))
        XCTAssertEqual(columns["result"]?["items"]?[0]?["textEdit"]?["range"]?["start"], ["line": .int(x2.line), "character": .int(x2.character)])
        XCTAssertEqual(columns["result"]?["items"]?[0]?["textEdit"]?["newText"], "数据🚀", "inside a string: no quotes added")

        // Definition and references of names.
        let declaration = try XCTUnwrap(lspPosition(of: "stage pretrain", in: text, delta: 6))
        let definition = try session.request("textDocument/definition", at("init = pretrain", 9))
        XCTAssertEqual(definition["result"]?["range"]?["start"], ["line": .int(declaration.line), "character": .int(declaration.character)])
        XCTAssertEqual(definition["result"]?["uri"]?.stringValue, uri)
        var references = try at("data points", 6)
        if case .object(var fields) = references { fields.append((key: "context", value: ["includeDeclaration": true])); references = .object(fields) }
        let found = try XCTUnwrap(session.request("textDocument/references", references)["result"]?.arrayValue)
        XCTAssertEqual(found.compactMap { $0["range"]?["start"]?["line"]?.intValue }, [5, 19, 33])

        // Rename: the declaration and both uses, one WorkspaceEdit; a clash is refused.
        var rename = try at("data = points", 8)
        if case .object(var fields) = rename { fields.append((key: "newName", value: "samples")); rename = .object(fields) }
        let edits = try XCTUnwrap(session.request("textDocument/rename", rename)["result"]?["changes"]?[uri]?.arrayValue)
        XCTAssertEqual(edits.count, 3)
        XCTAssertTrue(edits.allSatisfy { $0["newText"] == "samples" })
        XCTAssertEqual(edits.compactMap { $0["range"]?["start"]?["line"]?.intValue }.sorted(), [5, 19, 33])
        var clash = try at("stage finetune", 7)
        if case .object(var fields) = clash { fields.append((key: "newName", value: "pretrain")); clash = .object(fields) }
        XCTAssertEqual(try session.request("textDocument/rename", clash)["error"]?["code"], .int(-32602))

        // The outline: declarations with their blocks and settings.
        let symbols = try XCTUnwrap(session.request("textDocument/documentSymbol", ["textDocument": doc])["result"]?.arrayValue)
        XCTAssertEqual(symbols.compactMap { $0["name"]?.stringValue }, ["demo", "points", "mlp", "pretrain", "finetune"])
        let pretrain = symbols[3]["children"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(pretrain, ["model", "data", "optimizer", "schedule", "grid", "select"])

        // Formatting: `ftx fmt`'s output as one edit; nothing for a canonical file or one that does not parse.
        let canonical = try XCTUnwrap(Formatter.format(SourceFile(path: "x.ftx", text: text)))
        session.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 3],
                                                  "contentChanges": [["text": .string(text.replacingOccurrences(of: "seed = 0", with: "seed   =    0"))]]])
        let formatting = try XCTUnwrap(session.request("textDocument/formatting", ["textDocument": doc, "options": ["tabSize": 2, "insertSpaces": true]])["result"]?.arrayValue)
        XCTAssertEqual(formatting.count, 1)
        XCTAssertEqual(formatting.first?["newText"]?.stringValue, canonical)
        XCTAssertEqual(formatting.first?["range"]?["start"], ["line": 0, "character": 0])
        session.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 4], "contentChanges": [["text": .string(text + "stage {{\n")]]])
        XCTAssertEqual(try session.request("textDocument/formatting", ["textDocument": doc, "options": [:]])["result"], [])

        XCTAssertEqual(try session.request("shutdown")["result"], .null)
        session.notify("exit")
        XCTAssertEqual(session.waitForExit(), 0, "exit after shutdown is status 0")
        XCTAssertEqual(session.process.terminationReason, .exit)
    }
}
