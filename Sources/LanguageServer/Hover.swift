import Compiler
import DSL
import Support

/// `textDocument/hover`: the documentation of the setting, call, block or name under
/// the cursor, from `LanguageSchema` (doc, type, range, default, example), plus a
/// swept setting's values and (through `HoverProvenance`) where its value came from.
enum Hover {
    static func answer(_ snapshot: DocumentSnapshot, at offset: Int) -> JSONValue {
        let file = snapshot.file
        let (markdown, span): (String?, Span?) = {
            if let declaration = snapshot.symbols.symbol(at: offset) {
                let under = ([declaration.name] + snapshot.symbols.uses(of: declaration)).first { $0.span.start <= offset && offset <= $0.span.end }
                return (describe(declaration, in: snapshot), under?.span)
            }
            guard let target = SyntaxLocator(offset: offset).target(in: snapshot.parsed.unit) else { return (nil, nil) }
            return (describe(target, in: snapshot), wordSpan(in: file, at: offset))
        }()
        guard let markdown else { return .null }
        var result: [(key: String, value: JSONValue)] = [("contents", ["kind": "markdown", "value": .string(markdown)])]
        if let span { result.append(("range", file.range(of: span))) }
        return .object(result)
    }

    static func describe(_ target: SyntaxTarget, in snapshot: DocumentSnapshot) -> String {
        switch target {
        case .sectionKeyword(let spec):
            return "**`\(spec.keyword)`** block\n\n\(spec.doc)\n\n```ftx\n\(spec.example)\n```"
        case .call(let call):
            var lines = ["**`\(call.name)(…)`** — \(LanguageSchema.familyText(call.family).components(separatedBy: " (").first ?? call.family)", "", call.doc]
            if !call.params.isEmpty {
                lines.append("")
                for p in call.params {
                    let presence = p.defaultValue.map { ", default `\($0)`" } ?? (p.isRequired ? ", required" : "")
                    lines.append("- `\(p.name)`: \(p.type.text)" + presence)
                }
            }
            lines += ["", "Example: `\(call.example)`"]
            return lines.joined(separator: "\n")
        case .setting(let param, let path, let stage):
            var lines = ["**`\(path.joined(separator: "."))`**", "", param.doc, ""]
            if case .number(let range) = param.type {
                lines.append("- Type: " + (range.integer ? "an integer" : "a number"))
                if !range.text.isEmpty { lines.append("- Range: \(range.text)") }
            } else {
                lines.append("- Type: \(param.type.text)")
            }
            switch param.presence {
            case .required: lines.append("- Required")
            case .optional: lines.append("- Optional (off or inferred when absent)")
            case .defaulted(let value): lines.append("- Default: `\(value)`")
            }
            if !param.example.isEmpty { lines.append("- Example: `\(param.example)`") }
            let stageName = stage?.name?.name
            if let stageName, let checked = snapshot.check.experiment.stage(named: stageName) {
                let dotted = path.joined(separator: ".")
                for sweep in checked.sweeps {
                    for axis in sweep.axes where axis.dottedPath == dotted {
                        let line = snapshot.file.location(of: axis.span.start).line
                        let values = axis.generator.map { "`\($0)`" } ?? axis.values.map { "`\($0)`" }.joined(separator: ", ")
                        lines.append("- Swept (`sweep \(kindName(sweep.kind))`, line \(line)): \(values)")
                    }
                }
            }
            lines += HoverProvenance.lines(forSetting: path, stage: stageName, in: snapshot)
            return lines.joined(separator: "\n")
        }
    }

    private static func kindName(_ kind: CheckedSweep.Kind) -> String {
        switch kind {
        case .grid: "grid"
        case .zip: "zip"
        case .random(let trials, let seed): "random(trials: \(trials), seed: \(seed))"
        }
    }

    private static func describe(_ declaration: SymbolIndex.Declaration, in snapshot: DocumentSnapshot) -> String {
        let kind = declaration.kind.rawValue, name = declaration.name.name
        let line = snapshot.file.location(of: declaration.section.span.start).line
        var lines = ["**\(kind) `\(name)`** (line \(line))"]
        let experiment = snapshot.check.experiment
        switch declaration.kind {
        case .data:
            if let data = experiment.data(named: name) {
                lines.append("")
                lines.append("- Source: `\(data.path)` (\(data.format))")
                lines.append("- Label: `\(data.label)`" + (data.classCount.map { ", \($0) classes" } ?? ""))
                if let columns = data.columns { lines.append("- Columns: " + columns.prefix(12).map { "`\($0)`" }.joined(separator: ", ") + (columns.count > 12 ? ", … (\(columns.count))" : "")) }
                lines.append("- Splits: " + data.splits.joined(separator: ", "))
            }
        case .model:
            if let model = experiment.model(named: name) {
                lines.append("")
                switch model.architecture {
                case .mlp: lines.append("- An MLP")
                case .bert(let folder, _): lines.append("- Pretrained BERT from `\(folder)`")
                }
                if let names = model.parameterNames { lines.append("- \(names.count) trainable parameter tensors") }
            }
        case .stage:
            if let stage = experiment.stage(named: name) {
                lines.append("")
                if let model = stage.model { lines.append("- Model: `\(model)`") }
                if let data = stage.data { lines.append("- Data: `\(data)`") }
                if let upstream = stage.initStage { lines.append("- Starts from stage `\(upstream)`") }
                let points = stage.sweeps.reduce(1) { $0 * max(1, $1.pointCount) }
                if !stage.sweeps.isEmpty { lines.append("- Sweeps \(points) points" + (stage.repeatCount > 1 ? " × \(stage.repeatCount) repeats" : "")) }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The identifier (or dotted name) around `offset`, for the hover's range.
    static func wordSpan(in file: SourceFile, at offset: Int) -> Span? {
        func isWord(_ b: UInt8) -> Bool { b == UInt8(ascii: "_") || (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) }
        let bytes = file.bytes
        var start = min(offset, bytes.count), end = start
        while start > 0, isWord(bytes[start - 1]) { start -= 1 }
        while end < bytes.count, isWord(bytes[end]) { end += 1 }
        return start < end ? Span(start: start, end: end) : nil
    }
}
