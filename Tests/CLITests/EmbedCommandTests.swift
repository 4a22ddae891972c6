import CLI
import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// `ftx embed` end to end, in process.
final class EmbedCommandTests: XCTestCase {
    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-embed-\(UUID().uuidString).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func parse(_ out: String) throws -> [[Float]] {
        try out.split(separator: "\n").map { line in
            let array = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], String(line.prefix(80)))
            return array.map { Float(truncating: $0 as! NSNumber) }
        }
    }

    func testEmbedsTwoLinesLikeTheModelForward() throws {
        let model = try Paths.miniLM()
        let texts = ["A man is playing a guitar on stage.", "How do I reset my password?"]
        let file = try temporaryFile(texts.joined(separator: "\n") + "\n")
        let (console, read) = Console.capturing()
        let status = runFTX(["embed", "--model", model, file], console: console)
        let (out, err) = read()
        XCTAssertEqual(status, 0, "ftx embed failed (is EmbedCommand.subcommand in Entry.swift's list?): \(err)")
        let vectors = try parse(out)
        XCTAssertEqual(vectors.count, 2)
        XCTAssertEqual(vectors.map(\.count), [384, 384])

        // The same texts through the model directly.
        let embedder = try SentenceEmbedder(directory: model)
        let batch = embedder.tokenizer.encodeBatch(texts, maxLength: embedder.maxLength)
        let pooled = embedder.model.forward(batch, pooling: .mean).toArray()
        for (s, v) in vectors.enumerated() {
            for j in 0..<384 { XCTAssertEqual(v[j], pooled[s * 384 + j], accuracy: 1e-5) }
        }

        // --normalize gives unit vectors; --jsonl reads JSON strings (a newline inside a text).
        let jsonl = try temporaryFile("\"A man is playing\\na guitar.\"\n\"How do I reset my password?\"\n")
        let (console2, read2) = Console.capturing()
        XCTAssertEqual(runFTX(["embed", "--model", model, "--normalize", "--jsonl", "--pooling", "cls", jsonl], console: console2), 0)
        let unit = try parse(read2().out)
        XCTAssertEqual(unit.count, 2)
        for v in unit { XCTAssertEqual(v.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4) }
    }

    func testBadModelFolderExits2AndUsageErrorsExit64() throws {
        let model = try Paths.miniLM()
        let file = try temporaryFile("hello\n")
        let (console, read) = Console.capturing()
        XCTAssertEqual(runFTX(["embed", "--model", "/nonexistent/model", file], console: console), 2)
        XCTAssertTrue(read().err.contains("/nonexistent/model"))

        let (c2, _) = Console.capturing()
        XCTAssertEqual(runFTX(["embed", file], console: c2), 64, "--model is required")
        let (c3, _) = Console.capturing()
        XCTAssertEqual(runFTX(["embed", "--model", model, "--pooling", "max", file], console: c3), 64)

        let bad = try temporaryFile("not json\n")
        let (c4, r4) = Console.capturing()
        XCTAssertEqual(runFTX(["embed", "--model", model, "--jsonl", bad], console: c4), 2)
        XCTAssertTrue(r4().err.contains(":1:"), "the error names the line")
    }
}
