import Compiler
import DSL

/// The data, model and stage names of a file: where each is declared and every place
/// a stage refers to it (`model = …`, `data = … where …`, `init = …`, `init = best(…)`,
/// and the same keys as sweep axes). Built from the syntax tree alone, so it works
/// while the file has errors; definition, references and rename all read it.
struct SymbolIndex {
    struct Declaration {
        var kind: DeclarationKind
        var name: Identifier
        var section: Section
    }

    struct Reference {
        var kind: DeclarationKind
        var name: Identifier
    }

    private(set) var declarations: [Declaration] = []
    private(set) var references: [Reference] = []

    init(unit: SourceUnit) {
        for section in unit.sections {
            guard let kind = DeclarationKind(rawValue: section.keyword.name), let name = section.name else { continue }
            // The first of duplicates is the declaration, as the checker counts it.
            if !declarations.contains(where: { $0.kind == kind && $0.name.name == name.name }) {
                declarations.append(Declaration(kind: kind, name: name, section: section))
            }
        }
        for section in unit.sections where section.keyword.name == "stage" {
            collect(in: section.items)
        }
        let declared = Set(declarations.map { "\($0.kind.rawValue):\($0.name.name)" })
        references.removeAll { !declared.contains("\($0.kind.rawValue):\($0.name.name)") }
    }

    /// The kind of declaration a stage key names (`model`, `data`, `init`).
    private static func kind(ofKey key: String) -> DeclarationKind? {
        switch key {
        case "model": .model
        case "data": .data
        case "init": .stage
        default: nil
        }
    }

    private mutating func collect(in items: [Item]) {
        for item in items {
            switch item {
            case .setting(let setting):
                guard let last = setting.key.parts.last, let kind = Self.kind(ofKey: last.name) else { continue }
                collect(setting.value, kind: kind)
            case .section(let nested) where nested.keyword.name == "sweep":
                collect(in: nested.items)
            case .section:
                continue
            }
        }
    }

    private mutating func collect(_ expr: Expr, kind: DeclarationKind) {
        switch expr.kind {
        case .reference(let dotted) where dotted.parts.count == 1:
            references.append(Reference(kind: kind, name: dotted.parts[0]))
        case .filter(let base, _):
            collect(base, kind: kind)  // the condition names columns, not declarations
        case .list(let items):
            for item in items { collect(item, kind: kind) }
        case .call(let callee, let arguments) where kind == .stage && callee.text == "best":
            for argument in arguments { collect(argument.value, kind: kind) }
        case .call(let callee, let arguments) where callee.text == "choice":
            for argument in arguments { collect(argument.value, kind: kind) }
        default:
            break
        }
    }

    /// The declaration whose name or one of whose references covers `offset`.
    func symbol(at offset: Int) -> Declaration? {
        func covers(_ span: Span) -> Bool { span.start <= offset && offset <= span.end }
        if let d = declarations.first(where: { covers($0.name.span) }) { return d }
        guard let r = references.first(where: { covers($0.name.span) }) else { return nil }
        return declaration(kind: r.kind, name: r.name.name)
    }

    func declaration(kind: DeclarationKind, name: String) -> Declaration? {
        declarations.first { $0.kind == kind && $0.name.name == name }
    }

    func declarations(of kind: DeclarationKind) -> [Declaration] { declarations.filter { $0.kind == kind } }

    /// Every use of `declaration`, in source order.
    func uses(of declaration: Declaration) -> [Identifier] {
        references.filter { $0.kind == declaration.kind && $0.name.name == declaration.name.name }.map(\.name)
            .sorted { $0.span < $1.span }
    }
}
