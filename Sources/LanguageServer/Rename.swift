import Compiler
import DSL
import Support

/// `textDocument/prepareRename` and `textDocument/rename` of a data, model or stage
/// name: the declaration and every reference, as one WorkspaceEdit.
enum Rename {
    static func prepare(_ snapshot: DocumentSnapshot, at offset: Int) -> JSONValue {
        guard let declaration = snapshot.symbols.symbol(at: offset) else { return .null }
        let span = ([declaration.name] + snapshot.symbols.uses(of: declaration)).first { $0.span.start <= offset && offset <= $0.span.end }?.span
        return ["range": snapshot.file.range(of: span ?? declaration.name.span), "placeholder": .string(declaration.name.name)]
    }

    static func edit(_ snapshot: DocumentSnapshot, at offset: Int, to newName: String) throws -> JSONValue {
        guard let declaration = snapshot.symbols.symbol(at: offset) else {
            throw RPCError(code: .invalidParams, message: "nothing to rename here: only data, model and stage names can be renamed")
        }
        guard isIdentifier(newName) else {
            throw RPCError(code: .invalidParams, message: "`\(newName)` is not a name: use letters, digits and `_`, not starting with a digit")
        }
        if newName != declaration.name.name, snapshot.symbols.declaration(kind: declaration.kind, name: newName) != nil {
            throw RPCError(code: .invalidParams, message: "a \(declaration.kind.rawValue) named `\(newName)` already exists")
        }
        let spans = [declaration.name.span] + snapshot.symbols.uses(of: declaration).map(\.span)
        let edits: [JSONValue] = spans.map { ["range": snapshot.file.range(of: $0), "newText": .string(newName)] }
        return ["changes": .object([(key: snapshot.uri, value: .array(edits))])]
    }

    /// An identifier as the lexer reads one, and not a keyword.
    static func isIdentifier(_ name: String) -> Bool {
        let tokens = Lexer.tokenize(SourceFile(path: "", text: name))
        return tokens.count == 2 && tokens[0].kind == .identifier && tokens[0].span == Span(start: 0, end: name.utf8.count)
    }
}
