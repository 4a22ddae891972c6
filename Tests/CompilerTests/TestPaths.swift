import Foundation
import Plan

/// Locations of test inputs, found from this file's path (no SwiftPM resources).
enum TestPaths {
    /// Tests/CompilerTests.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let fixtures = testsDirectory + "/Fixtures"
    /// The package root.
    static let root = URL(fileURLWithPath: testsDirectory + "/../..").standardizedFileURL.path
    /// The shared examples and golden files beside the package, when present.
    static let shared = URL(fileURLWithPath: root + "/../shared").standardizedFileURL.path

    static var recording: Bool { ProcessInfo.processInfo.environment["FTX_RECORD"] == "1" }

    /// The experiment files in `directory`: regular `NAME.ftx` files only, never a
    /// store (`experiments/.ftx/`, which `ftx run` leaves beside its experiment).
    static func ftxFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".ftx") && $0 != ".ftx" }.sorted().map { directory + "/" + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
    }
}
