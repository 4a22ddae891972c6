import CLI
import Foundation
import XCTest

/// `ftx bench`: the JSON shapes scripts read, and bad input as usage or failure exits.
final class BenchCommandTests: XCTestCase {
    func testGEMMShapeJSON() throws {
        let r = ftx(["bench", "gemm", "--shape", "40x50x60:tn", "--threads", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let item = try XCTUnwrap((object["gemm"] as? [[String: Any]])?.first)
        XCTAssertEqual(item["m"] as? Int, 40)
        XCTAssertEqual(item["ops"] as? String, "tn")
        XCTAssertGreaterThan(try XCTUnwrap(item["gflops"] as? Double), 0)
    }

    /// The default squares record the n = 256 median for `plan`, which then estimates at it.
    func testGEMMBenchCalibratesPlan() throws {
        let workspace = try Workspace()
        let cache = workspace.url.appendingPathComponent("cache").path
        let restore = Self.pointCache(at: cache)
        defer { restore() }
        let r = ftx(["bench", "gemm", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let items = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["gemm"] as? [[String: Any]])
        XCTAssertEqual(items.compactMap { $0["n"] as? Int }, [256, 512, 1024, 2048])
        let median = try XCTUnwrap(items[0]["gflops_median"] as? Double)
        let recorded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache + "/calibration.json"))) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(recorded["gflops"] as? Double), median, accuracy: 1e-9)
        let plan = ftx(["plan", "--store", workspace.url.appendingPathComponent("store").path,
                        Paths.experiments.appendingPathComponent("digits-transfer.ftx").path])
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertTrue(plan.out.contains(String(format: "at %g GFLOP/s", median)), plan.out)
        // Other shapes or thread counts say nothing about the machine's whole speed: not recorded.
        try FileManager.default.removeItem(atPath: cache + "/calibration.json")
        XCTAssertEqual(ftx(["bench", "gemm", "--shape", "64x64x64", "--json"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache + "/calibration.json"))
    }

    /// `ftx bench calibrate` records every price of the cost model; `plan` prices with them;
    /// a later `ftx bench gemm` replaces `gflops` only; a file from before `calibrate` (only
    /// `gflops`) still plans, with the other prices at their defaults (issue 20).
    func testCalibrateRecordsEveryPriceAndGEMMKeepsThem() throws {
        let workspace = try Workspace()
        let cache = workspace.url.appendingPathComponent("cache").path
        let restore = Self.pointCache(at: cache)
        defer { restore() }
        let file = cache + "/calibration.json"
        let names = ["gflops", "small_gflops", "gemm_call_seconds", "op_seconds", "element_seconds", "parameter_update_seconds",
                     "parse_byte_seconds", "tokenize_byte_seconds", "write_byte_seconds", "read_byte_seconds", "task_seconds"]
        let r = ftx(["bench", "calibrate", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let printed = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["calibration"] as? [String: Any])
        let recorded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        for name in names {
            let value = try XCTUnwrap(recorded[name] as? Double, name)
            XCTAssertGreaterThan(value, 0, name)
            XCTAssertEqual(printed[name] as? Double, value, name)
        }
        XCTAssertTrue((recorded["measured"] as? String)?.hasPrefix("ftx bench calibrate") ?? false)

        let experiment = Paths.experiments.appendingPathComponent("digits-transfer.ftx").path
        let store = workspace.url.appendingPathComponent("store").path
        let planned = ftx(["plan", "--json", "--store", store, experiment])
        XCTAssertEqual(planned.status, 0, planned.err)
        let estimate = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(planned.out.utf8)) as? [String: Any])?["estimate"] as? [String: Any])
        let used = try XCTUnwrap(estimate["calibration"] as? [String: Any])
        for name in names { XCTAssertEqual(used[name] as? Double, recorded[name] as? Double, name) }

        XCTAssertEqual(ftx(["bench", "gemm", "--json"]).status, 0)
        let after = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        for name in names.dropFirst() { XCTAssertEqual(after[name] as? Double, recorded[name] as? Double, name) }

        try #"{"gflops":55.5,"measured":"gemm n=256 median, 2 threads"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let old = ftx(["plan", "--store", store, experiment])
        XCTAssertEqual(old.status, 0, old.err)
        XCTAssertTrue(old.out.contains("at 55.5 GFLOP/s (prices: gemm n=256 median, 2 threads)"), old.out)
    }

    /// A tiny fine-tune run: the JSON carries one loss per step (warm-up included), and they fall.
    func testEncoderAndFinetuneJSON() throws {
        let model = try Paths.miniLM()
        let e = ftx(["bench", "encoder", "--model", model, "--batch", "2", "--length", "8", "--reps", "1", "--json"])
        XCTAssertEqual(e.status, 0, e.err)
        let encoder = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(e.out.utf8)) as? [String: Any])?["encoder"] as? [String: Any])
        XCTAssertEqual(encoder["unit"] as? String, "seq/s")
        XCTAssertEqual(encoder["length"] as? Int, 8)
        XCTAssertGreaterThan(try XCTUnwrap(encoder["median"] as? Double), 0)

        let f = ftx(["bench", "finetune", "--model", model, "--batch", "4", "--length", "8", "--reps", "3", "--json"])
        XCTAssertEqual(f.status, 0, f.err)
        let finetune = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(f.out.utf8)) as? [String: Any])?["finetune"] as? [String: Any])
        let losses = try XCTUnwrap(finetune["losses"] as? [Double])
        XCTAssertEqual(losses.count, 4)
        XCTAssertLessThan(losses.last!, losses.first!)
    }

    func testBadInvocations() throws {
        let model = try Paths.miniLM()
        XCTAssertEqual(ftx(["bench", "encoder"]).status, 64)
        XCTAssertTrue(ftx(["bench", "encoder"]).err.contains("needs --model"))
        XCTAssertEqual(ftx(["bench", "encoder", "--model", model, "--length", "0"]).status, 64)
        XCTAssertEqual(ftx(["bench", "sort"]).status, 64)
        let missing = ftx(["bench", "finetune", "--model", "/nonexistent-model"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("/nonexistent-model: no such model folder"), missing.err)
        let long = ftx(["bench", "encoder", "--model", model, "--length", "600"])
        XCTAssertEqual(long.status, 2)
        XCTAssertTrue(long.err.contains("max_position_embeddings"), long.err)
    }

    /// Points `FTX_CACHE` (where `ftx bench` records its calibration) at `path`; returns what restores it.
    static func pointCache(at path: String) -> () -> Void {
        let previous = ProcessInfo.processInfo.environment["FTX_CACHE"]
        setenv("FTX_CACHE", path, 1)
        return { if let previous { setenv("FTX_CACHE", previous, 1) } else { unsetenv("FTX_CACHE") } }
    }
}
