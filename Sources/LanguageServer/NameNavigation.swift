import Compiler
import DSL
import Support

/// `textDocument/definition` and `textDocument/references` for data, model and stage names.
enum NameNavigation {
    static func definition(_ snapshot: DocumentSnapshot, at offset: Int) -> JSONValue {
        guard let declaration = snapshot.symbols.symbol(at: offset) else { return .null }
        return location(snapshot, declaration.name.span)
    }

    static func references(_ snapshot: DocumentSnapshot, at offset: Int, includeDeclaration: Bool) -> JSONValue {
        guard let declaration = snapshot.symbols.symbol(at: offset) else { return .null }
        let uses = snapshot.symbols.uses(of: declaration).map(\.span)
        let spans = (includeDeclaration ? [declaration.name.span] : []) + uses
        return .array(spans.map { location(snapshot, $0) })
    }

    static func location(_ snapshot: DocumentSnapshot, _ span: Span) -> JSONValue {
        ["uri": .string(snapshot.uri), "range": snapshot.file.range(of: span)]
    }
}
