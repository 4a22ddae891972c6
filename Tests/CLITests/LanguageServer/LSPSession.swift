import Foundation
import Support
import XCTest

/// A client of `ftx lsp` talking to the built executable through pipes, exactly as an
/// editor does: `Content-Length` frames of JSON-RPC 2.0. A watchdog ends the server
/// after a minute, so a server that hangs fails the test instead of blocking the suite.
final class LSPSession {
    let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer: [UInt8] = []
    private var nextID = 1
    /// Notifications that arrived while a response was awaited.
    private(set) var notifications: [JSONValue] = []

    init() throws {
        signal(SIGPIPE, SIG_IGN)  // a server that exits early must fail an assertion, not kill the tests
        process.executableURL = try XCTUnwrap(Paths.ftxExecutable, "`swift test` builds the ftx executable beside the tests")
        process.arguments = ["lsp"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let process = self.process
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if process.isRunning { process.terminate() } }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Writes raw bytes to the server's standard input.
    func write(_ bytes: [UInt8]) {
        try? input.fileHandleForWriting.write(contentsOf: Data(bytes))
    }

    /// Writes one framed message.
    func send(_ message: JSONValue) {
        let body = Array(JSONWriter.encode(message).utf8)
        write(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    /// Sends a request and returns its response (the whole message, with `result` or `error`).
    @discardableResult
    func request(_ method: String, _ params: JSONValue = .null) throws -> JSONValue {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        return try response(id: .int(id))
    }

    func notify(_ method: String, _ params: JSONValue = .null) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// The next response with `id` (notifications before it are kept).
    func response(id: JSONValue) throws -> JSONValue {
        while true {
            let message = try XCTUnwrap(read(), "the server closed its output before answering request \(id)")
            if message["method"] == nil, message["id"] == id { return message }
            notifications.append(message)
        }
    }

    /// The next notification `method` whose params satisfy `accept`.
    func notification(_ method: String, where accept: (JSONValue) -> Bool = { _ in true }) throws -> JSONValue {
        if let i = notifications.firstIndex(where: { $0["method"]?.stringValue == method && accept($0["params"] ?? .null) }) {
            return notifications.remove(at: i)["params"] ?? .null
        }
        while true {
            let message = try XCTUnwrap(read(), "the server closed its output before sending \(method)")
            if message["method"]?.stringValue == method, accept(message["params"] ?? .null) { return message["params"] ?? .null }
            notifications.append(message)
        }
    }

    /// The next message, or nil at the end of the server's output.
    func read() throws -> JSONValue? {
        while true {
            if let end = headerEnd() {
                let header = String(decoding: buffer[..<end], as: UTF8.self)
                let length = try XCTUnwrap(header.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }, "a frame without Content-Length: \(header)")
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return try body.withUnsafeBufferPointer { try JSONParser.parse(bytes: $0) }
                }
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(contentsOf: chunk)
        }
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    /// Closes the server's input and waits for it to exit; returns its status.
    func closeAndWait() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits for the server to exit by itself; returns its status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `initialize` then `initialized`; returns the server's capabilities.
    @discardableResult
    func initialize() throws -> JSONValue {
        let answer = try request("initialize", ["processId": .null, "rootUri": .null, "capabilities": [:]])
        notify("initialized", [:])
        return answer["result"]?["capabilities"] ?? .null
    }
}

/// The 0-based line holding `needle` and the UTF-16 column of its start plus `delta` characters.
func lspPosition(of needle: String, in text: String, delta: Int = 0) -> (line: Int, character: Int)? {
    for (i, line) in text.components(separatedBy: "\n").enumerated() {
        guard let range = line.range(of: needle) else { continue }
        return (i, line[..<range.lowerBound].utf16.count + delta)
    }
    return nil
}
