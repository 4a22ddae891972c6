import DSL
import Foundation
import Plan
import Support

/// A metric named somewhere in a stage (`select`, `early_stop`, …), checked once the stage's data and metrics are known.
struct MetricUse {
    var split: String
    var name: String
    var span: Span
    var context: String
}

/// The mutable state of one check: diagnostics, declarations, resolved parts.
final class CheckerRun {
    let file: SourceFile
    let baseDirectory: String
    var diagnostics: [Diagnostic] = []
    let reader: DataFileReader

    /// Declarations by kind and name (the first of duplicates), and names in source order.
    var declarations: [DeclarationKind: [String: Section]] = [:]
    var declarationOrder: [DeclarationKind: [String]] = [:]
    /// `kind:name` of every declaration some stage refers to.
    var used = Set<String>()
    var metricUses: [MetricUse] = []

    var checkedData: [String: CheckedData] = [:]
    var checkedModels: [String: CheckedModel] = [:]
    var stages: [String: StageDraft] = [:]
    /// The stages whose drafts the stage being finished read (`draft(_:)`), while a `StageCheckCache` records them.
    var draftReads: Set<String>?
    /// Models whose `head` was given but is invalid (already reported).
    var modelsWithInvalidHead = Set<String>()
    /// The `experiment` block's `seed` as written, and the block's title: where a stage without its own seed gets it.
    var experimentSeedSetting: (value: Value, declaration: String)?
    /// Warning codes the `experiment`'s `allow` suppresses in the whole file.
    var allowed = Set<DiagnosticCode>()

    let checkFiles: Bool
    /// Stage results kept from the previous check of the same document, if any.
    let stageCache: StageCheckCache?

    init(file: SourceFile, checkFiles: Bool, dataCache: DataFileCache? = nil, stageCache: StageCheckCache? = nil) {
        self.file = file
        self.checkFiles = checkFiles
        self.stageCache = stageCache
        self.reader = DataFileReader(shared: dataCache)
        let dir = (file.path as NSString).deletingLastPathComponent
        self.baseDirectory = dir.isEmpty ? FileManager.default.currentDirectoryPath : dir
    }

    func emit(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// A path from the file resolved against the `.ftx` file's directory.
    func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((baseDirectory as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    func run(_ unit: SourceUnit) -> CheckedExperiment {
        var experimentSection: Section?
        // Pass 1: declarations, so that references may point forward.
        for section in unit.sections {
            let keyword = section.keyword.name
            switch keyword {
            case "experiment":
                if let first = experimentSection {
                    emit(CheckerDiagnostics.duplicateSection(keyword: "experiment", span: section.keyword.span, first: first.keyword.span))
                } else {
                    experimentSection = section
                }
            case "data", "model", "stage":
                let kind = DeclarationKind(rawValue: keyword)!
                guard let name = declarationName(section) else { continue }
                if let first = declarations[kind]?[name.name] {
                    emit(CheckerDiagnostics.duplicateDeclaration(kind: keyword, name: name.name, span: name.span, first: first.name?.span ?? first.keyword.span))
                } else {
                    declarations[kind, default: [:]][name.name] = section
                    declarationOrder[kind, default: []].append(name.name)
                }
            case "resources":
                emit(CheckerDiagnostics.resourcesOutsideExperiment(span: section.keyword.span))
            default:
                let valid = LanguageSchema.topLevel.map(\.keyword)
                emit(CheckerDiagnostics.unknownSection(keyword: keyword, place: "at the top level", valid: valid, suggestion: Suggestions.closest(to: keyword, in: valid), span: section.keyword.span))
            }
        }
        // Pass 2: each declaration in dependency order of kinds.
        var experimentName = ((file.path as NSString).lastPathComponent as NSString).deletingPathExtension
        var experimentSeed = 0
        var experimentSpan: Span?
        var experimentResources = JobResources()
        if let section = experimentSection {
            if let name = declarationName(section) { experimentName = name.name; experimentSpan = name.span }
            let settings = checkSection(section, LanguageSchema.experiment, title: "experiment `\(experimentName)`")
            if let seedValue = settings.values["seed"], let seed = seedValue.number {
                experimentSeed = Int(seed)
                experimentSeedSetting = (seedValue, "experiment `\(experimentName)`")
            }
            allowed = LintSuppression.allowedCodes(settings.values["allow"]?.list ?? [], emit: emit)
            experimentResources = checkResources(settings.sections, owner: "experiment `\(experimentName)`")
        }
        for name in declarationOrder[.data] ?? [] { checkData(declarations[.data]![name]!, name: name) }
        for name in declarationOrder[.model] ?? [] { checkModel(declarations[.model]![name]!, name: name) }
        stageCache?.begin(surroundings: stageSurroundings(unit))
        for name in declarationOrder[.stage] ?? [] { draftStageReusing(declarations[.stage]![name]!, name: name, experimentSeed: experimentSeed) }
        replayKeptDrafts()
        let checkedStages = finishStages()
        let unsure = diagnostics.contains { $0.code == .unknownSection || $0.code == .referenceNotFound }
        for kind in [DeclarationKind.data, .model] where !unsure {
            for name in declarationOrder[kind] ?? [] where !used.contains("\(kind.rawValue):\(name)") {
                if let span = declarations[kind]?[name]?.name?.span {
                    emit(CheckerDiagnostics.unusedDeclaration(kind: kind.rawValue, name: name, span: span))
                }
            }
        }
        return CheckedExperiment(
            name: experimentName, seed: experimentSeed, span: experimentSpan, baseDirectory: baseDirectory,
            data: (declarationOrder[.data] ?? []).compactMap { checkedData[$0] },
            models: (declarationOrder[.model] ?? []).compactMap { checkedModels[$0] },
            stages: checkedStages, resources: experimentResources, allowedWarnings: allowed)
    }

    func declarationName(_ section: Section) -> Identifier? {
        if let name = section.name { return name }
        if let label = section.label {
            emit(CheckerDiagnostics.typeMismatch(what: "`\(section.keyword.name)`", expected: "a plain name", found: describe(label), example: "\(section.keyword.name) train { … }", span: label.span))
        } else {
            emit(CheckerDiagnostics.missingName(keyword: section.keyword.name, span: section.keyword.span))
        }
        return nil
    }

    // MARK: Generic sections

    /// The settings of one block, checked against its spec.
    struct SectionSettings {
        /// Resolved values of the keys given (and valid).
        var values: [String: Value] = [:]
        /// Every key given, valid or not, with its setting (for spans).
        var given: [String: Setting] = [:]
        /// Nested blocks by keyword.
        var sections: [String: [Section]] = [:]
        var span: Span

        /// A record of every key in schema order: given values, then defaults.
        func record(_ spec: SectionSpec, extra: [Value.Field] = []) -> Value {
            var fields: [Value.Field] = []
            for key in spec.keys {
                if let v = values[key.name] {
                    fields.append(Value.Field(key.name, v))
                } else if var d = key.defaultValue, given[key.name] == nil {
                    d.span = span
                    fields.append(Value.Field(key.name, d.with(origin: .schemaDefault)))
                }
            }
            return Value(.record(fields + extra), span: span)
        }
    }

    /// Checks the items of `section` against `spec`: unknown and duplicate keys,
    /// blocks where settings belong and vice versa, missing required keys, values.
    /// `skipKeys` are resolved by the caller (they need context).
    func checkSection(_ section: Section, _ spec: SectionSpec, title: String, keyPrefix: String = "", skipKeys: Set<String> = [], optionalKeys: Set<String> = []) -> SectionSettings {
        var result = SectionSettings(span: section.name?.span ?? section.keyword.span)
        var firstSection: [String: Span] = [:]
        // Keys and blocks present in some wrong form: not reported again as missing.
        var presentAnyway = Set<String>()
        let validNames = spec.keys.map(\.name) + spec.sections.map(\.keyword)
        for item in section.items {
            switch item {
            case .setting(let setting):
                let keyText = setting.key.text
                guard setting.key.parts.count == 1, let key = spec.key(keyText) else {
                    if setting.key.parts.count == 1, let sub = spec.section(keyText) {
                        emit(CheckerDiagnostics.notASetting(keyword: keyText, example: oneLineExample(sub), span: setting.key.span))
                        presentAnyway.insert(keyText)
                    } else {
                        let suggestion = Suggestions.closest(to: keyText, in: validNames)
                        if let suggestion { presentAnyway.insert(suggestion) }
                        emit(CheckerDiagnostics.unknownKey(key: keyText, section: title, valid: validNames, suggestion: suggestion, span: setting.key.span))
                    }
                    continue
                }
                if let first = result.given[keyText] {
                    emit(CheckerDiagnostics.duplicateKey(key: keyText, section: title, span: setting.key.span, first: first.key.span))
                    continue
                }
                result.given[keyText] = setting
                if skipKeys.contains(keyText) { continue }
                if let v = resolve(setting.value, key.type, what: "`\(keyPrefix)\(keyText)`", example: key.example) {
                    result.values[keyText] = v.with(origin: .written(key: setting.key.span))
                }
            case .section(let sub):
                let keyword = sub.keyword.name
                guard let subSpec = spec.section(keyword) else {
                    if let key = spec.key(keyword) {
                        emit(CheckerDiagnostics.notASection(key: keyword, section: title, example: key.example, span: sub.keyword.span))
                        presentAnyway.insert(keyword)
                    } else {
                        let suggestion = Suggestions.closest(to: keyword, in: validNames)
                        if let suggestion { presentAnyway.insert(suggestion) }
                        emit(CheckerDiagnostics.unknownSection(keyword: keyword, place: "in \(title)", valid: spec.sections.map(\.keyword), suggestion: suggestion, span: sub.keyword.span))
                    }
                    continue
                }
                if !subSpec.repeatable, let first = firstSection[keyword] {
                    emit(CheckerDiagnostics.duplicateSection(keyword: keyword, span: sub.keyword.span, first: first))
                    continue
                }
                firstSection[keyword] = sub.keyword.span
                result.sections[keyword, default: []].append(sub)
            }
        }
        let anchor = section.name?.span ?? section.keyword.span
        for key in spec.keys where key.isRequired && result.given[key.name] == nil && !optionalKeys.contains(key.name) && !presentAnyway.contains(key.name) {
            emit(CheckerDiagnostics.missingKey(key: key.name, section: title, example: key.example, span: anchor))
        }
        for sub in spec.sections where sub.required && result.sections[sub.keyword] == nil && !presentAnyway.contains(sub.keyword) {
            emit(CheckerDiagnostics.missingSection(keyword: sub.keyword, section: title, example: oneLineExample(sub), span: anchor))
        }
        return result
    }

    /// `schedule { epochs = 10 }`: a block with its required keys, on one line.
    func oneLineExample(_ spec: SectionSpec) -> String {
        let keys = spec.keys.filter(\.isRequired).map(\.example)
        return spec.keyword + " { " + (keys.isEmpty ? "…" : keys.joined(separator: "; ")) + " }"
    }

    // MARK: Data

    func checkData(_ section: Section, name: String) {
        let title = "data `\(name)`"
        let settings = checkSection(section, LanguageSchema.data, title: title)
        var format = "csv", path = "", resolved = ""
        var columns: [String]?
        if let source = settings.values["source"], let pathValue = source["path"], let p = pathValue.string, checkFiles {
            format = source.callName ?? "csv"
            path = p
            resolved = resolvePath(p)
            switch reader.header(path: resolved, format: format) {
            case .success(let header): columns = header.columns
            case .failure(.notFound): emit(CheckerDiagnostics.fileNotFound(kind: "data file", path: p, resolved: resolved, span: pathValue.span))
            case .failure(.unreadable(let reason)): emit(CheckerDiagnostics.fileUnreadable(path: p, reason: reason, span: pathValue.span))
            }
        }
        func checkColumn(_ v: Value) -> Bool {
            guard let columns, let c = v.string, !columns.contains(c) else { return true }
            emit(CheckerDiagnostics.columnNotFound(column: c, data: name, file: path, columns: columns, suggestion: Suggestions.closest(to: c, in: columns), quoted: true, span: v.span))
            return false
        }
        let label = settings.values["label"]
        let text = settings.values["text"]
        if let label { _ = checkColumn(label) }
        if let text { _ = checkColumn(text) }
        var features: [String]?
        if let declared = settings.values["features"]?.list {
            declared.forEach { _ = checkColumn($0) }
            features = declared.compactMap(\.string)
        } else if let columns, settings.values["label"] != nil || settings.given["label"] == nil, settings.values["text"] != nil || settings.given["text"] == nil {
            features = columns.filter { $0 != label?.string && $0 != text?.string }
        }
        // Data with a `text` column is read by a pretrained model, which reads the text
        // alone: it has no numeric features, and declaring some would be ignored.
        if text != nil {
            if let given = settings.given["features"] {
                emit(CheckerDiagnostics.keyNotApplicable(key: "features", reason: "does not apply to data `\(name)`: it has a `text` column, and a pretrained model reads only the text", span: given.key.span))
            }
            features = []
        }
        let record = settings.record(LanguageSchema.data)
        var splits = ["train"]
        if let split = record["split"] {
            for part in ["valid", "test"] where split[part] != nil { splits.append(part) }
        }
        if let augments = settings.values["augment"]?.list {
            var firstMixup: Span?
            for a in augments {
                if a.callName == "mixup" {
                    if let firstMixup { emit(CheckerDiagnostics.mixupRepeated(span: a.span, first: firstMixup)) } else { firstMixup = a.span }
                }
                let numeric = ["noise", "mixup"].contains(a.callName ?? "")
                if a.callName == "token_dropout", text == nil {
                    emit(CheckerDiagnostics.keyNotApplicable(key: "token_dropout", reason: "drops tokens of text, but data `\(name)` has no `text` column", span: a.span))
                } else if !numeric, text == nil {
                    emit(CheckerDiagnostics.keyNotApplicable(key: a.callName ?? "augment", reason: "rewrites texts, but data `\(name)` has no `text` column", span: a.span))
                } else if numeric, text != nil {
                    emit(CheckerDiagnostics.keyNotApplicable(key: a.callName ?? "augment", reason: "perturbs numeric features, but data `\(name)` is text", span: a.span))
                }
            }
        }
        let paraphraseTables = checkAugmentTables(settings.values["augment"]?.list ?? [])
        // The values `run` reads: numeric data's features must be numbers; the label's classes.
        var classCount: Int?, numericLabels = false, onlyLabel: String?, firstNonNumericLabel: (line: Int, text: String)?, rowCount: Int?
        if columns != nil, let values = reader.values(path: resolved, format: format, label: label?.string,
                                                      text: paraphraseTables.isEmpty ? nil : text?.string) {
            classCount = values.classCount
            if values.malformed == nil { rowCount = values.rowCount }
            onlyLabel = values.onlyLabel
            numericLabels = label?.string.map { values.firstNonNumeric[$0] == nil } ?? false
            if values.malformed == nil, let cell = label?.string.flatMap({ values.firstNonNumeric[$0] }), !cell.text.isEmpty {
                firstNonNumericLabel = (cell.line, cell.text)  // an empty label is E0202's
            }
            let sourceSpan = settings.values["source"]?["path"]?.span ?? settings.values["source"]?.span ?? section.keyword.span
            if let malformed = values.malformed {
                emit(CheckerDiagnostics.dataFileMalformed(data: name, file: path, line: malformed.line, reason: malformed.reason, span: sourceSpan))
            } else if values.rowCount == 0 {
                emit(CheckerDiagnostics.dataFileNoRows(data: name, file: path, span: sourceSpan))
            } else if let label, let cell = values.firstEmptyLabel {
                emit(CheckerDiagnostics.labelMissing(label: label.string ?? "", data: name, file: path, line: cell.line, span: label.span))
            }
            if values.malformed == nil, values.rowCount > 0 {
                for (table, call) in paraphraseTables {
                    let covered = values.texts.filter { table.entries[$0] != nil }.count
                    emit(covered == 0 ? CheckerDiagnostics.paraphrasesCoverNothing(data: name, file: call.path, texts: values.texts.count, span: call.span)
                                      : CheckerDiagnostics.paraphraseCoverage(data: name, file: call.path, covered: covered, texts: values.texts.count, span: call.span))
                }
            }
            if values.malformed == nil, text == nil, let features {
                let declared = settings.values["features"]?.list
                for column in features {
                    guard let cell = values.firstNonNumeric[column] else { continue }
                    let span = declared?.first(where: { $0.string == column })?.span ?? settings.values["source"]?.span ?? section.keyword.span
                    emit(CheckerDiagnostics.featureNotNumeric(column: column, data: name, file: path, line: cell.line, value: cell.text, declared: declared != nil, span: span))
                    break
                }
            }
        }
        checkedData[name] = CheckedData(
            name: name, span: section.name?.span ?? section.keyword.span, format: format, path: path, resolvedPath: resolved,
            label: label?.string ?? "", text: text?.string, columns: columns, features: features, settings: record, splits: splits,
            classCount: classCount, numericLabels: numericLabels, onlyLabel: onlyLabel, firstNonNumericLabel: firstNonNumericLabel, rowCount: rowCount)
    }

    // MARK: Models

    func checkModel(_ section: Section, name: String) {
        let title = "model `\(name)`"
        let settings = checkSection(section, LanguageSchema.model, title: title)
        var architecture = CheckedModel.Architecture.mlp
        var parameterNames: [String]?
        let head = settings.values["head"]
        let headUnits = head?["units"]?.number.map { Int($0) }
        let headSpec = head.flatMap { try? TrialLowering.lowerHead($0, stage: name) }
        var extra: [Value.Field] = []
        var lowercase: Bool?
        if let pretrained = settings.values["pretrained"] {
            if let given = settings.given["input"] {
                emit(CheckerDiagnostics.keyNotApplicable(key: "input", reason: "does not apply to a pretrained model: it reads text", span: given.key.span))
            }
            // Task adaptation layers sit between the pooled vector and the head, named `layers.{i}` as in an MLP.
            let adaptation = try? (settings.values["layers"]?.list ?? []).map { try TrialLowering.lowerLayer($0, stage: name) }
            if let pathValue = pretrained["path"], let p = pathValue.string {
                // The folder gets exactly the checks `run` makes before loading it (`BertFolder`), weights aside.
                let folder = BertFolder(resolvePath(p))
                var config: BertConfig?
                if checkFiles {
                    if !folder.exists {
                        emit(CheckerDiagnostics.bertFolderNotFound(path: p, resolved: folder.directory, span: pathValue.span))
                    } else {
                        do { config = try folder.config() } catch {
                            emit(CheckerDiagnostics.bertConfigInvalid(path: p, reason: "\(error)", span: pathValue.span))
                        }
                    }
                }
                if let config, settings.given["layers"] == nil || adaptation != nil {
                    parameterNames = (ModelCatalog.bert(config) + ModelCatalog.mlp(inputSize: config.hiddenSize, layers: adaptation ?? [], head: headSpec).specs).map(\.name)
                }
                architecture = .bert(folder: folder.directory, config: config)
                var tokenizer = settings.values["tokenizer"] ?? LanguageSchema.call("wordpiece", in: "tokenizer").map { spec in
                    Value(.call(name: "wordpiece", positional: [], named: spec.params.compactMap { p in p.defaultValue.map { Value.Field(p.name, $0.with(origin: .schemaDefault)) } }),
                          span: settings.span).with(origin: .schemaDefault)
                }!
                // The vocabulary: as given, else vocab.txt in the model folder.
                let explicitVocab = tokenizer["vocab"] != nil
                if !explicitVocab {
                    tokenizer = tokenizer.setting("vocab", to: Value(.string((p as NSString).appendingPathComponent("vocab.txt")), span: tokenizer.span)
                        .with(origin: .derived("the model folder's vocab.txt")))
                }
                // The vocabulary gets the checks the runtime's tokenizer makes (`BertFolder`).
                if checkFiles, explicitVocab || config != nil, let vocab = tokenizer["vocab"], let v = vocab.string {
                    let resolved = resolvePath(v)
                    let span = explicitVocab ? vocab.span : pathValue.span
                    if !FileManager.default.fileExists(atPath: resolved) {
                        emit(CheckerDiagnostics.fileNotFound(kind: "vocabulary file", path: v, resolved: resolved, span: explicitVocab ? vocab.span : (settings.values["tokenizer"] ?? pathValue).span))
                    } else {
                        do {
                            let tokens = try folder.vocabularyTokens(at: resolved)
                            if let config {
                                do { try folder.checkVocabulary(tokens: tokens.count, vocabularyPath: resolved, config: config) } catch {
                                    emit(CheckerDiagnostics.bertVocabularyMismatch(path: p, reason: "\(error)", given: explicitVocab, span: span))
                                }
                            }
                        } catch {
                            emit(CheckerDiagnostics.vocabularyInvalid(path: v, reason: "\(error)", span: span))
                        }
                    }
                }
                // Whether the tokenizer lower-cases: as given, else the folder's tokenizer_config.json
                // (read exactly as `run` and `ftx embed` read it), so a cased model stays cased.
                if let given = tokenizer["lowercase"]?.bool {
                    lowercase = given
                } else if checkFiles, folder.exists {
                    do { lowercase = try folder.lowercases() } catch {
                        emit(CheckerDiagnostics.bertTokenizerConfigInvalid(path: p, reason: "\(error)", span: settings.values["tokenizer"]?.span ?? pathValue.span))
                    }
                }
                if let config, let name = tokenizer.callName {
                    let given = settings.values["tokenizer"]?["max_length"]
                    if let written = (given ?? LanguageDefaults.argument("max_length", ofCall: name, family: "tokenizer"))?.number {
                        let maxLength = Int(exactly: written) ?? .max
                        do { try folder.checkMaxLength(maxLength, source: "the tokenizer's `max_length`", config: config) } catch {
                            emit(CheckerDiagnostics.bertMaxLengthTooLong(path: p, reason: "\(error)", maxLength: maxLength, positions: config.maxPositionEmbeddings,
                                                                         defaulted: given == nil, span: (given ?? pathValue).span))
                        }
                    }
                }
                if settings.values["tokenizer"] == nil { extra.append(Value.Field("tokenizer", tokenizer)) }
                if settings.given["pooling"] == nil { extra.append(Value.Field("pooling", Value(.symbol("mean"), span: settings.span).with(origin: .schemaDefault))) }
            }
        } else if settings.given["pretrained"] == nil {
            for key in ["tokenizer", "pooling"] {
                if let given = settings.given[key] {
                    emit(CheckerDiagnostics.keyNotApplicable(key: key, reason: "needs `pretrained`: only pretrained encoders read text", span: given.key.span))
                }
            }
            let layers = settings.values["layers"]?.list ?? []
            if settings.given["layers"] == nil, settings.given["head"] == nil {
                emit(CheckerDiagnostics.modelEmpty(name: name, span: settings.span))
            }
            if settings.given["layers"] == nil || settings.values["layers"] != nil,
               let specs = try? layers.map({ try TrialLowering.lowerLayer($0, stage: name) }) {
                // Only the names are used; they do not depend on the input width.
                let input = settings.values["input"]?.number.map { Int($0) } ?? 0
                parameterNames = ModelCatalog.mlp(inputSize: input, layers: specs, head: headSpec).specs.map(\.name)
            }
        }
        var record = settings.record(LanguageSchema.model, extra: [])
        if case .record(let fields) = record.kind {
            // Keep schema order: insert derived defaults where the schema lists them.
            let order = LanguageSchema.model.keys.map(\.name)
            let merged = (fields + extra).sorted { (order.firstIndex(of: $0.name) ?? 99) < (order.firstIndex(of: $1.name) ?? 99) }
            record.kind = .record(merged)
        }
        if settings.given["head"] != nil, head == nil { modelsWithInvalidHead.insert(name) }
        checkedModels[name] = CheckedModel(name: name, span: settings.span, architecture: architecture, settings: record, headUnits: headUnits,
                                           parameterNames: parameterNames, lowercase: lowercase)
    }
}
