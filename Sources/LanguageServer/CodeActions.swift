import Compiler
import DSL
import Support

/// `textDocument/codeAction`: each fix-it of a diagnostic in the requested range
/// ("did you mean `lr`?") as a quick fix that applies it.
enum CodeActions {
    static func answer(_ snapshot: DocumentSnapshot, range: Span) -> JSONValue {
        var actions: [JSONValue] = []
        for d in snapshot.check.diagnostics where !d.fixIts.isEmpty {
            let span = d.primary.span
            guard span.start <= range.end, range.start <= span.end else { continue }
            let edits: [JSONValue] = d.fixIts.map { ["range": snapshot.file.range(of: $0.span), "newText": .string($0.replacement)] }
            let title = d.fixIts.count == 1
                ? "Replace `\(snapshot.file.text(d.fixIts[0].span))` with `\(d.fixIts[0].replacement)`"
                : "Apply the fix of \(d.code.rawValue)"
            actions.append(["title": .string(title), "kind": "quickfix", "isPreferred": true,
                            "diagnostics": [DiagnosticsPublisher.lspDiagnostic(d, in: snapshot)],
                            "edit": ["changes": .object([(key: snapshot.uri, value: .array(edits))])]])
        }
        return .array(actions)
    }
}
