import Compiler
import DSL
import Support

/// `textDocument/documentSymbol`: the outline — declarations, their blocks and settings.
enum DocumentSymbols {
    /// LSP `SymbolKind`s used here.
    private enum Kind: Int {
        case module = 2, namespace = 3, klass = 5, property = 7, field = 8, function = 12, object = 19, event = 24
    }

    static func answer(_ snapshot: DocumentSnapshot) -> JSONValue {
        .array(snapshot.parsed.unit.sections.map { symbol(for: $0, in: snapshot.file) })
    }

    private static func symbol(for section: Section, in file: SourceFile) -> JSONValue {
        let kind: Kind = switch section.keyword.name {
        case "experiment": .module
        case "data": .object
        case "model": .klass
        case "stage": .function
        case "sweep": .event
        default: .namespace
        }
        let label = section.label.map { file.text($0.span) }
        let name = label ?? section.keyword.name
        let children: [JSONValue] = section.items.map { item in
            switch item {
            case .section(let nested): return symbol(for: nested, in: file)
            case .setting(let setting):
                return ["name": .string(setting.key.text), "detail": .string(String(file.text(setting.value.span).prefix(80))),
                        "kind": .int(Kind.property.rawValue), "range": file.range(of: setting.span),
                        "selectionRange": file.range(of: setting.key.span)]
            }
        }
        return ["name": .string(name), "detail": .string(label == nil ? "" : section.keyword.name), "kind": .int(kind.rawValue),
                "range": file.range(of: section.span), "selectionRange": file.range(of: section.name?.span ?? section.keyword.span),
                "children": .array(children)]
    }
}
