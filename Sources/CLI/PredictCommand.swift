import Foundation
import Plan
import Runtime
import Support

/// `ftx predict FILE [--trial ID|best|ensemble] --data PATH` and `ftx predict --model DIR
/// --data PATH`: the chosen model on new rows, streamed — rows are read a few megabytes at a
/// time, predicted in blocks and written to a temporary file, which becomes `--out` (or is
/// copied to standard output) only once every row is done: a bad row stops the command
/// before any output exists, unless `--skip-bad-rows`.
enum PredictCommand {
    static let subcommand = Subcommand(
        name: "predict",
        summary: "run the selected model (or ensemble, or an exported folder) on new rows",
        usage: "ftx predict (FILE [--trial ID|best|ensemble] [--stage NAME] [--store DIR] | --model DIR) --data PATH [--out PATH] [--json | --csv] [--skip-bad-rows]",
        signature: CommandSignature(flags: ["--json", "--csv", "--skip-bad-rows"],
                                    options: ["--trial", "--stage", "--store", "--model", "--data", "--out"],
                                    minPositionals: 0, maxPositionals: 1),
        run: run)

    /// Rows per prediction block: a multiple of the evaluation chunk (512) for MLPs, so a
    /// file's rows meet the layers in the chunks eval used; for BERT, the texts encoded
    /// together (length-sorted batches of 32, as eval encodes a whole split).
    static let mlpBlock = 8192
    static let textBlock = 4096
    /// Bad rows and unseen labels reported one by one before a count.
    static let reportLimit = 20

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        if args.has("--json") && args.has("--csv") { throw UsageError("`--json` and `--csv` cannot be combined") }
        guard let dataPath = args.option("--data") else { throw UsageError("`--data PATH` is required: the rows to predict") }
        let modelDir = args.option("--model")
        if modelDir != nil && !args.positionals.isEmpty { throw UsageError("give an experiment FILE or `--model DIR`, not both") }
        if modelDir == nil && args.positionals.isEmpty { throw UsageError("give an experiment FILE or `--model DIR`") }
        if modelDir != nil, let option = ["--trial", "--stage", "--store"].first(where: { args.option($0) != nil }) {
            throw UsageError("`\(option)` chooses a model of an experiment's store; it does not apply to `--model DIR`")
        }

        let predictor: Predictor
        let source: String
        do {
            if let modelDir {
                predictor = try Predictor.exported(modelDir)
                source = modelDir
            } else {
                let loaded: LoadedExperiment
                do {
                    loaded = try LoadedExperiment.load(args.positionals[0], storeOption: args.option("--store"),
                                                       createStore: false, console: console, json: args.has("--json"))
                } catch let failure as CommandFailure {
                    return failure.status
                }
                let choice = try ModelChoice.resolve(loaded, trial: args.option("--trial"), stage: args.option("--stage"))
                predictor = try choice.predictor()
                source = choice.title
            }
        } catch {
            console.err("ftx predict: error: \(error)\n")
            return ExitCode.failure
        }

        let writer = PredictionWriter(predictor: predictor, json: args.has("--json"))
        let skip = args.has("--skip-bad-rows")
        var counts = Counts()
        let outPath = args.option("--out")
        let destination = outPath ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("ftx-predict-\(getpid()).out")
        var inputError: DataError?  // AtomicFile wraps what its body throws; keep the row's own error
        do {
            let chunks = try RecordChunks(path: dataPath)
            let reader = try RowReader(predictor, columns: chunks.columns, path: dataPath)
            try AtomicFile.write(to: destination, durable: outPath != nil) { sink in
                do {
                    try predictRows(chunks, reader: reader, predictor: predictor, writer: writer, skip: skip,
                                    console: console, counts: &counts) { text in
                        var text = text
                        try text.withUTF8 { try sink(UnsafeRawBufferPointer($0)) }
                    }
                } catch let error as DataError {
                    inputError = error
                    throw error
                }
            }
        } catch let error as DataError {
            inputError = error
        } catch where inputError != nil {
            // reported below
        } catch {
            console.err("ftx predict: error: \(error)\n")
            return ExitCode.failure
        }
        if let error = inputError {
            console.err("ftx predict: error: \(error.description)\n")
            if !skip && error.line != nil {
                console.err("  = help: fix the row, or pass --skip-bad-rows to report and skip bad rows; nothing was written\n")
            }
            return ExitCode.failure
        }
        if outPath == nil {
            defer { unlink(destination) }
            guard let handle = FileHandle(forReadingAtPath: destination) else {
                console.err("ftx predict: error: cannot read back the predictions\n")
                return ExitCode.failure
            }
            var carry = Data()  // whole lines only, so no UTF-8 sequence is split
            while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty {
                carry.append(data)
                guard let cut = carry.lastIndex(of: 0x0A) else { continue }
                console.out(String(decoding: carry[..<(cut + 1)], as: UTF8.self))
                carry = Data(carry[(cut + 1)...])
            }
            if !carry.isEmpty { console.out(String(decoding: carry, as: UTF8.self)) }
            try? handle.close()
        }
        let (predicted, skipped, unseen) = (counts.predicted, counts.skipped, counts.unseen)
        var summary = "predicted \(predicted) row\(predicted == 1 ? "" : "s") of \(dataPath) with \(source)"
        if skipped > 0 { summary += "; skipped \(skipped) bad row\(skipped == 1 ? "" : "s")" }
        if let outPath { summary += " → \(outPath)" }
        console.err(summary + "\n")
        if unseen > 0 {
            console.err("warning: \(unseen) row\(unseen == 1 ? "" : "s") had a label value never seen in training (\(counts.unseenValues.map { "'\($0)'" }.joined(separator: ", ")))\n")
        }
        return ExitCode.success
    }
    /// What a prediction run did.
    struct Counts {
        var predicted = 0, skipped = 0, unseen = 0
        var unseenValues: [String] = []
    }

    /// Reads every row of `chunks`, predicts them in blocks and hands the output text to
    /// `emit` in input order. A bad row throws its `DataError`, or with `skip` is reported and skipped.
    static func predictRows(_ chunks: RecordChunks, reader: RowReader, predictor: Predictor, writer: PredictionWriter, skip: Bool,
                            console: Console, counts: inout Counts, emit: (String) throws -> Void) throws {
        let block = predictor.readsText ? textBlock : mlpBlock
        func flush(_ rows: PredictionRows) throws {
            guard rows.count > 0 else { return }
            try emit(writer.lines(rows: rows.rows, predictor.predict(inputs: rows.inputs, texts: rows.texts, rows: rows.count)))
            counts.predicted += rows.count
        }
        try emit(writer.header)
        var pending = PredictionRows()
        while let chunk = try chunks.next() {
            let columns = reader.columns(of: chunk.table.header)
            for r in 0..<chunk.table.rowCount {
                let report = pending.append(chunk, row: r, reader: reader, columns: columns)
                if let label = report.unseenLabel, let column = reader.target.column {
                    counts.unseen += 1
                    if counts.unseenValues.count < reportLimit, !counts.unseenValues.contains(label) { counts.unseenValues.append(label) }
                    if counts.unseen <= reportLimit {
                        console.err("warning: \(chunks.path):\(chunk.line(ofRow: r)): label '\(label)' in column '\(column)' (data row \(chunk.firstRow + r)) was never seen in training; the row is predicted, its label is not used\n")
                    }
                }
                if let error = report.error {
                    guard skip else { throw error }
                    counts.skipped += 1
                    if counts.skipped <= reportLimit { console.err("warning: \(error.description); row skipped\n") }
                }
                if pending.count >= block { try flush(pending.takeFirst(block)) }
            }
        }
        try flush(pending)
    }
}
