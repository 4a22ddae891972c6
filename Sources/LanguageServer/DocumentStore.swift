import Compiler
import DSL
import Foundation

/// One version of an open document and everything computed from it, each at most
/// once: tokens, the parse, the check. A change makes a new snapshot, so a cached
/// answer can never describe other text.
final class DocumentSnapshot {
    let uri: String
    let version: Int
    let file: SourceFile
    /// Whether relative data and model paths can be resolved (a `file:` URI).
    let onDisk: Bool
    private let dataCache: DataFileCache
    private let stageCache: StageCheckCache

    init(uri: String, version: Int, text: String, dataCache: DataFileCache, stageCache: StageCheckCache) {
        self.uri = uri
        self.version = version
        let path = DocumentSnapshot.path(of: uri)
        self.onDisk = path != nil
        self.file = SourceFile(path: path ?? uri, text: text)
        self.dataCache = dataCache
        self.stageCache = stageCache
    }

    private(set) lazy var tokens: [Token] = Lexer.tokenize(file)
    private(set) lazy var parsed: (unit: SourceUnit, diagnostics: [Diagnostic]) = {
        let (unit, diagnostics) = Parser.parse(file)
        return (unit, diagnostics)
    }()
    /// What `ftx check` reports for this text: paths resolved against the document's folder.
    /// The stages unchanged since the document's previous check are not checked again.
    private(set) lazy var check: FileCheck = checkSource(file, parsed: (parsed.unit, parsed.diagnostics), checkFiles: onDisk,
                                                         dataCache: dataCache, stageCache: stageCache)
    private(set) lazy var symbols: SymbolIndex = SymbolIndex(unit: parsed.unit)

    /// The file path of a `file:` URI (percent-decoded); nil for other schemes.
    static func path(of uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.path
    }
}

/// The open documents by URI, plus what outlives a version: the parameter names
/// each stage's model had when last known (so `freeze` completes while the file is
/// being edited into a state that does not check).
final class DocumentStore {
    private var documents: [String: DocumentSnapshot] = [:]
    private var parameterNames: [String: [String: [String]]] = [:]
    /// Each document's stage results, kept from one version's check to the next.
    private var stageCaches: [String: StageCheckCache] = [:]
    /// Data-file reads shared by every check (keyed by path, size and modification time).
    let dataCache = DataFileCache()

    subscript(uri: String) -> DocumentSnapshot? { documents[uri] }

    var uris: [String] { Array(documents.keys) }

    @discardableResult
    func open(uri: String, version: Int, text: String) -> DocumentSnapshot {
        let stageCache = stageCaches[uri] ?? StageCheckCache()
        stageCaches[uri] = stageCache
        let snapshot = DocumentSnapshot(uri: uri, version: version, text: text, dataCache: dataCache, stageCache: stageCache)
        documents[uri] = snapshot
        return snapshot
    }

    func close(uri: String) {
        documents[uri] = nil
        parameterNames[uri] = nil
        stageCaches[uri] = nil
    }

    /// The trainable parameter names of `stage`'s model: from this version's check, else the last one that knew them.
    func parameterNames(uri: String, stage: String) -> [String] {
        guard let snapshot = documents[uri] else { return [] }
        if let names = snapshot.check.experiment.stage(named: stage)?.parameterNames {
            parameterNames[uri, default: [:]][stage] = names
            return names
        }
        return parameterNames[uri]?[stage] ?? []
    }
}
