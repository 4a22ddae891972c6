import Foundation

/// Deterministic JSON text for the store and `--json` output.
///
/// The same value always prints the same bytes: keys in declared order (or
/// sorted by their UTF-8 bytes with `sortKeys`), numbers in the shortest
/// decimal that round-trips (`Double` for `.double`, `Float` for `.float`),
/// strings escaped by the one rule of `quote` (JSONString.swift). JSON has no
/// NaN or infinity: non-finite numbers print as `null`.
public enum JSONWriter {
    /// Output layout.
    public struct Options: Sendable, Equatable {
        /// Sort object keys by UTF-8 bytes instead of keeping declared order.
        public var sortKeys: Bool
        /// Two-space indented, one member per line; otherwise compact, no spaces.
        public var pretty: Bool

        public init(sortKeys: Bool = false, pretty: Bool = false) {
            self.sortKeys = sortKeys
            self.pretty = pretty
        }
    }

    /// `value` as JSON text.
    public static func encode(_ value: JSONValue, options: Options = Options()) -> String {
        var out = [UInt8]()
        out.reserveCapacity(128)
        write(value, into: &out, options: options, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as JSON text with sorted keys.
    public static func encodeSorted(_ value: JSONValue) -> String {
        encode(value, options: Options(sortKeys: true))
    }

    /// Shortest round-trip text of a `Double` as a JSON number (`null` when not finite).
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        return normalizeExponent(d.description)
    }

    /// Shortest round-trip text of a `Float` as a JSON number (`null` when not finite).
    public static func format(_ f: Float) -> String {
        guard f.isFinite else { return "null" }
        return normalizeExponent(f.description)
    }

    /// Swift prints `1e-05` and `1e+16`; JSON accepts both, but we print the
    /// canonical `1e-5` / `1e16` so other tools produce comparable text.
    private static func normalizeExponent(_ s: String) -> String {
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        let mantissa = s[..<e]
        var exp = s[s.index(after: e)...]
        var negative = false
        if exp.first == "+" { exp = exp.dropFirst() } else if exp.first == "-" { negative = true; exp = exp.dropFirst() }
        while exp.count > 1 && exp.first == "0" { exp = exp.dropFirst() }
        return "\(mantissa)e\(negative ? "-" : "")\(exp)"
    }

    private static func newline(_ out: inout [UInt8], depth: Int) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], options: Options, depth: Int) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case let .bool(b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case let .int(i): out.append(contentsOf: Array(String(i).utf8))
        case let .double(d): out.append(contentsOf: Array(format(d).utf8))
        case let .float(f): out.append(contentsOf: Array(format(f).utf8))
        case let .string(s): appendString(s, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if options.pretty { newline(&out, depth: depth + 1) }
                write(item, into: &out, options: options, depth: depth + 1)
            }
            if options.pretty && !items.isEmpty { newline(&out, depth: depth) }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            let ordered = options.sortKeys
                ? members.enumerated().sorted { a, b in
                    // Stable: equal keys keep declared order.
                    let ka = Array(a.element.key.utf8), kb = Array(b.element.key.utf8)
                    return ka == kb ? a.offset < b.offset : ka.lexicographicallyPrecedes(kb)
                }.map(\.element)
                : members
            out.append(UInt8(ascii: "{"))
            for (i, member) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if options.pretty { newline(&out, depth: depth + 1) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if options.pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, into: &out, options: options, depth: depth + 1)
            }
            if options.pretty && !ordered.isEmpty { newline(&out, depth: depth) }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// JSON Lines (one compact JSON value per line, `\n`-terminated): the store's
/// logs and the CLI's streaming `--json` output.
public enum JSONLines {
    /// One line of text for `value` including the trailing newline.
    public static func line(_ value: JSONValue, sortKeys: Bool = false) -> String {
        JSONWriter.encode(value, options: JSONWriter.Options(sortKeys: sortKeys)) + "\n"
    }

    /// All `values`, one per line.
    public static func encode(_ values: [JSONValue], sortKeys: Bool = false) -> String {
        values.map { line($0, sortKeys: sortKeys) }.joined()
    }

    /// Parses every non-empty line; an error names the 1-based line number.
    public static func decode(_ text: String) throws -> [JSONValue] {
        var values = [JSONValue]()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            do {
                values.append(try JSONParser.parse(String(line)))
            } catch let error as JSONParseError {
                throw JSONParseError(message: "line \(i + 1): \(error.message)", offset: error.offset)
            }
        }
        return values
    }

    /// Appends `value` as one line to the file at `path`, creating it if needed.
    public static func append(_ value: JSONValue, toFileAt path: String, sortKeys: Bool = false) throws {
        let data = Data(line(value, sortKeys: sortKeys).utf8)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
