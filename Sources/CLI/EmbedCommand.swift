import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx embed --model DIR [--pooling mean|cls] [--normalize] [--jsonl] [FILE|-]`:
/// one JSON array of floats per input text, in input order.
enum EmbedCommand {
    static let subcommand = Subcommand(
        name: "embed",
        summary: "sentence embeddings from a pretrained encoder: one JSON array per input text",
        usage: "ftx embed --model DIR [--pooling mean|cls] [--normalize] [--jsonl] [--max-length N] [--batch-size N] [FILE|-]",
        signature: CommandSignature(flags: ["--normalize", "--jsonl"],
                                    options: ["--model", "--pooling", "--max-length", "--batch-size"],
                                    minPositionals: 0, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        guard let model = args.option("--model") else { throw UsageError("`--model DIR` is required") }
        let poolingName = args.option("--pooling") ?? "mean"
        guard let pooling = PretrainedSpec.Pooling(rawValue: poolingName) else {
            throw UsageError("`--pooling` is `mean` or `cls`, got `\(poolingName)`")
        }
        let maxLength = args.option("--max-length") == nil ? nil : try args.intOption("--max-length", default: 0)
        let batchSize = try args.intOption("--batch-size", default: 32)

        // Input: FILE, or standard input for `-` / no argument.
        let source = args.positionals.first ?? "-"
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do { data = try Data(contentsOf: URL(fileURLWithPath: source)) } catch {
                console.err("ftx embed: error: cannot read `\(source)`: \(describe(error))\n")
                return ExitCode.failure
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            console.err("ftx embed: error: `\(source)` is not UTF-8 text\n")
            return ExitCode.failure
        }
        let texts: [String]
        switch readTexts(text, jsonl: args.has("--jsonl")) {
        case .success(let t): texts = t
        case .failure(let problem):
            console.err("ftx embed: error: \(source == "-" ? "<stdin>" : source):\(problem)\n")
            return ExitCode.failure
        }

        let embedder: SentenceEmbedder
        do { embedder = try SentenceEmbedder(directory: model, maxLength: maxLength) } catch {
            console.err("ftx embed: error: \(error)\n")
            return ExitCode.failure
        }
        var start = 0
        let chunk = 1024  // print as we go, bounded memory for long inputs
        while start < texts.count {
            let part = Array(texts[start..<min(texts.count, start + chunk)])
            let vectors = embedder.embed(part, pooling: pooling, normalize: args.has("--normalize"), batchSize: batchSize)
            var out = ""
            for v in vectors { out += jsonArray(v) + "\n" }
            console.out(out)
            start += part.count
        }
        return ExitCode.success
    }

    /// The texts of the input: one per line (a final newline ends the last line;
    /// `\r\n` accepted), or with `jsonl` one JSON string per non-blank line.
    static func readTexts(_ text: String, jsonl: Bool) -> Result<[String], InputProblemText> {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        guard jsonl else { return .success(lines) }
        var texts: [String] = []
        for (i, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let s = (try? JSONParser.parse(line))?.stringValue else {
                return .failure(InputProblemText("\(i + 1): with --jsonl every line must be a JSON string, e.g. \"a text\""))
            }
            texts.append(s)
        }
        return .success(texts)
    }

    /// `[f, f, …]` with each float's shortest round-trip form.
    static func jsonArray(_ v: [Float]) -> String {
        var s = "["
        for (i, x) in v.enumerated() {
            if i > 0 { s += "," }
            s += x.isFinite ? "\(x)" : "null"
        }
        return s + "]"
    }
}

/// A problem with the input text, as `LINE: message`.
struct InputProblemText: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
