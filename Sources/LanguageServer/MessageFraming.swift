import Foundation

/// One unit read from the client: a message body, a header block that could not
/// be understood (answered with a parse error, then reading goes on), or the end.
enum Frame: Equatable {
    case body([UInt8])
    case badHeader(String)
    case end
}

/// Reads LSP base-protocol frames, `Content-Length: N\r\n…\r\n\r\n` then N bytes,
/// from a file descriptor. Never throws: a header it cannot read is a `badHeader`
/// frame, and a stream that ends mid-header or mid-body is the `end`.
final class FrameReader {
    /// Bodies larger than this are refused (and skipped) rather than buffered.
    static let maxBody = 512 * 1024 * 1024
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEOF = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Whether a next frame can be read without waiting: bytes are buffered, or the descriptor has some.
    var hasPendingInput: Bool {
        if buffer.count > start { return true }
        if atEOF { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    func next() -> Frame {
        guard let headerEnd = readUntilHeaderEnd() else { return .end }
        let header = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        start = headerEnd + 4
        var length: Int?
        for line in header.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { return .badHeader("header line without `:`: \(line.prefix(80))") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let n = Int(value), n >= 0 else { return .badHeader("Content-Length is not a byte count: `\(value.prefix(40))`") }
                length = n
            }
        }
        guard let length else { return .badHeader("a header without Content-Length") }
        if length > Self.maxBody {
            guard skip(length) else { return .end }
            return .badHeader("a message of \(length) bytes exceeds the limit of \(Self.maxBody)")
        }
        guard fill(upTo: start + length) else { return .end }
        let body = Array(buffer[start..<(start + length)])
        start += length
        compact()
        return .body(body)
    }

    /// The index of the `\r\n\r\n` that ends the next header block; nil at the end of input.
    private func readUntilHeaderEnd() -> Int? {
        var scanned = 0  // bytes after `start` known not to begin the terminator
        while true {
            var i = start + scanned
            while i + 3 < buffer.count {
                if buffer[i] == 13, buffer[i + 1] == 10, buffer[i + 2] == 13, buffer[i + 3] == 10 { return i }
                i += 1
            }
            scanned = max(0, i - start)
            // A header block is short; 64 KB without a blank line is not LSP: drop it.
            if buffer.count - start > 64 * 1024 {
                start = buffer.count
                compact()
                scanned = 0
            }
            guard readMore() else { return nil }
        }
    }

    private func fill(upTo end: Int) -> Bool {
        while buffer.count < end { guard readMore() else { return false } }
        return true
    }

    private func skip(_ count: Int) -> Bool {
        var left = count
        while left > 0 {
            if buffer.count == start { guard readMore() else { return false } }
            let take = min(left, buffer.count - start)
            start += take
            left -= take
            compact()
        }
        return true
    }

    private func readMore() -> Bool {
        if atEOF { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0, errno == EINTR { continue }
            atEOF = true
            return false
        }
    }

    private func compact() {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// Writes frames to a file descriptor. A client that went away (EPIPE) is noted, not fatal.
final class FrameWriter {
    private let descriptor: Int32
    private(set) var closed = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    func send(_ body: String) {
        var bytes = Array("Content-Length: \(body.utf8.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body.utf8)
        var offset = 0
        while offset < bytes.count, !closed {
            let n = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0, errno == EINTR { continue } else { closed = true }
        }
    }
}
