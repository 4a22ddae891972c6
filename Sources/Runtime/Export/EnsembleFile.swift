import Foundation
import Support

/// `ensemble.json` of an exported ensemble: its member folders (each a complete export of
/// one trial) and how their outputs combine — the mean of the members' probabilities
/// (`EnsembleMean`: softmax rows, or sigmoids for one `bce` output, or regression values),
/// exactly what the `ensemble` task scored.
///
/// ```json
/// {"format": "ftx-ensemble", "version": 1, "combine": "mean", "of": "softmax",
///  "members": ["members/0", "members/1", "members/2"], "trials": ["KEY", …]}
/// ```
public enum EnsembleFile {
    public static let name = "ensemble.json"

    /// The file's text for member folders `members` (relative paths) of trials `trials`,
    /// whose outputs go through `output` (`softmax`, `sigmoid`, `identity`) before the mean.
    public static func encode(members: [String], trials: [String], output: String) -> String {
        let json: JSONValue = .object([
            ("format", "ftx-ensemble"), ("version", 1), ("combine", "mean"), ("of", .string(output)),
            ("members", .array(members.map { .string($0) })), ("trials", .array(trials.map { .string($0) })),
        ])
        return JSONWriter.encode(json, options: .init(pretty: true)) + "\n"
    }

    /// The member folders (relative) listed by the file at `path`.
    public static func members(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse(data),
              json["format"]?.stringValue == "ftx-ensemble", let members = json["members"]?.arrayValue?.compactMap(\.stringValue),
              !members.isEmpty, json["combine"]?.stringValue == "mean"
        else { throw ExportedModelFile.LoadError(path, "not an ftx ensemble description (expected \"format\": \"ftx-ensemble\", \"combine\": \"mean\" and member folders)") }
        for m in members where m.hasPrefix("/") || m.split(separator: "/").contains("..") {
            throw ExportedModelFile.LoadError(path, "member folder `\(m)` must be a path inside the folder")
        }
        return members
    }
}
