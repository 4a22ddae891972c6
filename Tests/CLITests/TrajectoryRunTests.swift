import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Every golden trajectory run through `ftx run` ends with weights within 1e-4
/// (relative to each tensor's largest magnitude) of PyTorch's final weights.
final class TrajectoryRunTests: XCTestCase {
    func testGoldenTrajectoriesThroughTheCLI() throws {
        let dir = Paths.golden.appendingPathComponent("trajectories")
        let names = Paths.ftxFiles(in: dir).map { $0.deletingPathExtension().lastPathComponent }
        XCTAssertGreaterThanOrEqual(names.count, 3)
        let workspace = try Workspace()
        for name in names {
            let file = dir.appendingPathComponent("\(name).ftx").path
            let store = workspace.url.appendingPathComponent("store-\(name)").path
            let run = ftx(["run", "--store", store, file])
            XCTAssertEqual(run.status, 0, "\(name): \(run.err)")
            let results = ftx(["results", "--json", "--store", store, file])
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any])
            let trial = try XCTUnwrap((json["trials"] as? [[String: Any]])?.first)
            let checkpoint = try XCTUnwrap(trial["checkpoint"] as? String, "\(name): no checkpoint")
            let ours = try SafetensorsFile(contentsOf: checkpoint)
            let golden = try SafetensorsFile(contentsOf: dir.appendingPathComponent("\(name)_final.safetensors").path)
            XCTAssertEqual(Set(ours.names), Set(golden.names), name)
            for tensor in golden.names {
                let want = try golden.floats(tensor), got = try ours.floats(tensor)
                XCTAssertEqual(got.count, want.count, "\(name) \(tensor)")
                let scale = max(want.map(abs).max() ?? 0, 1e-12)
                let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst / scale, 1e-4, "\(name) \(tensor): max error \(worst / scale) of the largest weight")
            }
        }
    }
}
