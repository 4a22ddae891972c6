import Foundation
import Runtime
import Support

/// The store's note of an experiment `ftx run` planned: `experiments/<SHA-256 of
/// its absolute path>.json` = `{"path": absolute .ftx path, "keys": [every task key
/// of its plan]}`. Task entries hold no decodable payload, so this is how
/// `ftx task run --store DIR KEY` finds the file to re-plan for KEY.
struct ExperimentRecord: Equatable {
    var path: String
    var keys: [String]

    static let folder = "experiments"

    /// `file` as an absolute, standardised path (relative to the working directory).
    static func absolutePath(_ file: String) -> String {
        URL(fileURLWithPath: file).standardizedFileURL.path
    }

    static func recordPath(forExperiment absolute: String, in store: TaskStore) -> String {
        ((store.root as NSString).appendingPathComponent(folder) as NSString)
            .appendingPathComponent(SHA256.hash(absolute).hex + ".json")
    }

    /// Writes the record atomically (replacing the file's previous record).
    func write(in store: TaskStore) throws {
        let file = Self.recordPath(forExperiment: path, in: store)
        _ = try TaskStore.prepareFolder(Self.folder, in: store.root)
        let json: JSONValue = .object([("path", .string(path)), ("keys", .array(keys.map(JSONValue.string)))])
        try AtomicFile.write(JSONWriter.encode(json) + "\n", to: file)
    }

    /// Every readable record in `store` (unreadable ones are skipped), by path.
    static func all(in store: TaskStore) -> [ExperimentRecord] {
        let dir = (store.root as NSString).appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }
        return names.sorted().compactMap { name -> ExperimentRecord? in
            guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(name)),
                  let json = try? JSONParser.parse(data), let path = json["path"]?.stringValue,
                  let keys = json["keys"]?.arrayValue?.compactMap(\.stringValue)
            else { return nil }
            return ExperimentRecord(path: path, keys: keys)
        }.sorted { $0.path < $1.path }
    }
}
