import Foundation
import XCTest

/// `ftx run` leaves its store `.ftx/` beside the experiment; a folder named like an
/// experiment file is never read as one (issue 13: a fresh clone's tests did).
final class StoreIsNotAnExperimentTests: XCTestCase {
    func testTheStoreFolderIsAClearErrorNotAnExperiment() throws {
        let workspace = try Workspace()
        let store = workspace.experiments.appendingPathComponent(".ftx")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        for command in [["check"], ["fmt", "--check"], ["plan"]] {
            let result = ftx(command + [store.path])
            XCTAssertEqual(result.status, 2, "\(command): \(result.err)")
            XCTAssertTrue(result.err.contains("is a folder, not an experiment file (`.ftx/` is the store `ftx run` keeps beside an experiment)"),
                          "\(command): \(result.err)")
        }
    }
}
