import Foundation
import Support
import XCTest

/// Issue 19: `ftx lsp` answers malformed input with JSON-RPC errors and keeps serving;
/// truncated input and a vanished client end it cleanly (an exit status, never a crash).
final class LanguageServerRobustnessTests: XCTestCase {
    private func frame(_ body: String) -> [UInt8] { Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8) }

    func testRequestsBeforeInitializeAreRejectedThenServed() throws {
        let session = try LSPSession()
        let early = try session.request("textDocument/hover", ["textDocument": ["uri": "file:///x.ftx"], "position": ["line": 0, "character": 0]])
        XCTAssertEqual(early["error"]?["code"], .int(-32002))
        XCTAssertEqual(try session.request("shutdown")["error"]?["code"], .int(-32002))
        XCTAssertEqual(try session.initialize()["hoverProvider"], true)
        XCTAssertEqual(try session.request("initialize", ["capabilities": [:]])["error"]?["code"], .int(-32600), "a second initialize")
        XCTAssertEqual(try session.request("shutdown")["result"], .null)
        XCTAssertEqual(try session.request("textDocument/hover", [:])["error"]?["code"], .int(-32600), "requests after shutdown")
        session.notify("exit")
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testMalformedMessagesGetErrorsAndTheServerGoesOn() throws {
        let session = try LSPSession()
        try session.initialize()
        // Not JSON: a parse error with a null id.
        session.write(frame("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": "))
        var answer = try XCTUnwrap(session.read())
        XCTAssertEqual(answer["error"]?["code"], .int(-32700))
        XCTAssertEqual(answer["id"], .null)
        // JSON but not a request: invalid request.
        for body in ["[1, 2]", "{\"jsonrpc\": \"2.0\", \"id\": 8}", "{\"jsonrpc\": \"1.0\", \"id\": 9, \"method\": \"shutdown\"}",
                     "{\"jsonrpc\": \"2.0\", \"id\": 10, \"method\": 3}", "{\"jsonrpc\": \"2.0\", \"id\": {}, \"method\": \"x\"}"] {
            session.write(frame(body))
            answer = try XCTUnwrap(session.read(), body)
            XCTAssertEqual(answer["error"]?["code"], .int(-32600), body)
        }
        // A header without Content-Length, then a header whose length is not a number.
        session.write(Array("Content-Type: application/json\r\n\r\n".utf8))
        XCTAssertEqual(try XCTUnwrap(session.read())["error"]?["code"], .int(-32700))
        session.write(Array("Content-Length: lots\r\n\r\n".utf8))
        XCTAssertEqual(try XCTUnwrap(session.read())["error"]?["code"], .int(-32700))
        // An unknown request is "method not found" with its id; an unknown notification is ignored.
        session.notify("workspace/somethingNew", ["x": 1])
        let unknown = try session.request("textDocument/teleport", [:])
        XCTAssertEqual(unknown["error"]?["code"], .int(-32601))
        XCTAssertEqual(session.notifications.count, 0, "no answer to a notification")
        // Bad parameters: invalid params, and the server still answers.
        XCTAssertEqual(try session.request("textDocument/hover", ["textDocument": 3])["error"]?["code"], .int(-32602))
        XCTAssertEqual(try session.request("textDocument/hover", ["textDocument": ["uri": "file:///not/open.ftx"], "position": ["line": 0, "character": 0]])["result"], .null)
        XCTAssertEqual(try session.request("shutdown")["result"], .null)
        session.notify("exit")
        XCTAssertEqual(session.waitForExit(), 0)
    }

    func testTruncatedHeaderAtEndOfInputExitsCleanly() throws {
        let session = try LSPSession()
        try session.initialize()
        session.write(Array("Content-Len".utf8))
        XCTAssertEqual(session.closeAndWait(), 1, "input ended without shutdown")
        XCTAssertEqual(session.process.terminationReason, .exit)
    }

    func testTruncatedBodyAtEndOfInputExitsCleanly() throws {
        let session = try LSPSession()
        try session.request("initialize", ["capabilities": [:]])
        try session.request("shutdown")
        session.write(Array("Content-Length: 100\r\n\r\n{\"jsonrpc\"".utf8))
        XCTAssertEqual(session.closeAndWait(), 0, "input ended after shutdown")
        XCTAssertEqual(session.process.terminationReason, .exit)
    }

    func testExitWithoutShutdownIsStatusOne() throws {
        let session = try LSPSession()
        try session.initialize()
        session.notify("exit")
        XCTAssertEqual(session.waitForExit(), 1)
    }

    /// A 10 MB document: 220,000 comment lines with multi-byte characters, then an
    /// experiment whose error and hover positions lie past them.
    func testTenMegabyteDocument() throws {
        let padding = String(repeating: "# 数据 🚀 padding padding padding padding\n", count: 220_000)
        let experiment = """
        data digits {
          source = csv("digits.csv")
          labl = "label"
        }

        """
        let text = padding + experiment
        XCTAssertGreaterThan(text.utf8.count, 10_000_000)
        let session = try LSPSession()
        try session.initialize()
        let uri = "untitled:big.ftx"
        session.notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": "ftx", "version": 1, "text": .string(text)]])
        let hover = try session.request("textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": ["line": 220_001, "character": 3]])
        XCTAssertTrue(hover["result"]?["contents"]?["value"]?.stringValue?.contains("The file to read") == true, "\(hover)")
        let published = try session.notification("textDocument/publishDiagnostics")
        let codes = published["diagnostics"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        XCTAssertTrue(codes.contains("E0148"), "\(codes)")
        let misspelt = published["diagnostics"]?.arrayValue?.first { $0["code"] == "E0148" }
        XCTAssertEqual(misspelt?["range"]?["start"], ["line": 220_002, "character": 2])
        XCTAssertEqual(try session.request("shutdown")["result"], .null)
        session.notify("exit")
        XCTAssertEqual(session.waitForExit(), 0)
    }
}
