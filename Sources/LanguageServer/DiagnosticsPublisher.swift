import Compiler
import DSL
import Support

/// `textDocument/publishDiagnostics`: everything `ftx check` reports for the document,
/// warnings included, as LSP diagnostics: the primary span as the range, the code,
/// secondary labels as related information, and the renderer's notes and help lines
/// under the message (what the terminal shows below the excerpt).
enum DiagnosticsPublisher {
    static func params(_ snapshot: DocumentSnapshot) -> JSONValue {
        let diagnostics = snapshot.check.diagnostics.map { lspDiagnostic($0, in: snapshot) }
        return ["uri": .string(snapshot.uri), "version": .int(snapshot.version), "diagnostics": .array(diagnostics)]
    }

    static func lspDiagnostic(_ d: Diagnostic, in snapshot: DocumentSnapshot) -> JSONValue {
        let file = snapshot.file
        var message = d.message
        // The label under the excerpt, when it says more than the message.
        if !d.primary.message.isEmpty, !message.contains(d.primary.message) { message += " (\(d.primary.message))" }
        for note in d.notes { message += "\nnote: " + note }
        for help in d.help { message += "\nhelp: " + help }
        let severity: Int = switch d.severity {
        case .error: 1
        case .warning: 2
        case .note: 3
        }
        var fields: [(key: String, value: JSONValue)] = [
            ("range", file.range(of: d.primary.span)),
            ("severity", .int(severity)),
            ("code", .string(d.code.rawValue)),
            ("source", "ftx"),
            ("message", .string(message)),
        ]
        let related: [JSONValue] = d.secondary.map { label in
            ["location": ["uri": .string(snapshot.uri), "range": file.range(of: label.span)],
             "message": .string(label.message.isEmpty ? "related" : label.message)]
        }
        if !related.isEmpty { fields.append(("relatedInformation", .array(related))) }
        return .object(fields)
    }

    /// An empty list, sent when a document closes so its markers go away.
    static func cleared(uri: String) -> JSONValue {
        ["uri": .string(uri), "diagnostics": []]
    }
}
