import Foundation
import Plan

/// Locations of test inputs, found from this file's path (no SwiftPM resources).
enum TestPaths {
    /// Tests/CompilerTests.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let fixtures = testsDirectory + "/Fixtures"
    /// The package root.
    static let root = URL(fileURLWithPath: testsDirectory + "/../..").standardizedFileURL.path
    /// The golden files (PyTorch references, golden trajectories): the repository's
    /// copy in `Tests/Fixtures/golden`, so a fresh clone anywhere has them.
    static let golden = root + "/Tests/Fixtures/golden"
    /// all-MiniLM-L6-v2, which `experiments/glosses-minilm.ftx` reads as `../models/all-MiniLM-L6-v2`.
    static let miniLM = root + "/models/all-MiniLM-L6-v2"

    static var recording: Bool { ProcessInfo.processInfo.environment["FTX_RECORD"] == "1" }

    /// The experiment files in `directory`: regular `NAME.ftx` files only, never a
    /// store (`experiments/.ftx/`, which `ftx run` leaves beside its experiment).
    static func ftxFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".ftx") && $0 != ".ftx" }.sorted().map { directory + "/" + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
    }

    /// Throws (failing the test, never skipping it) when the model is not in
    /// `models/`; `scripts/test` links it there before running the tests.
    static func requireMiniLM() throws {
        if !FileManager.default.fileExists(atPath: miniLM + "/config.json") { throw MissingModel(path: miniLM) }
    }
}

/// all-MiniLM-L6-v2 is not linked into `models/`: the message says how to get it.
struct MissingModel: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "all-MiniLM-L6-v2 is not at \(path) (no config.json). It is not in git (88 MB): run the tests with "
            + "`scripts/test`, which links it, or link it yourself: ln -sfn \"$(scripts/fetch-minilm.sh)\" models/all-MiniLM-L6-v2"
    }
}
