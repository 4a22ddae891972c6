import Foundation
import Plan
import Runtime
import Support

/// `ftx export FILE [--trial ID|best|ensemble] --format FORMAT --out DIR`: the chosen model
/// as a folder other tools load. The folder is built beside DIR and renamed into place when
/// complete (`ExportFolder`); what a format cannot express faithfully is refused with exit 2
/// before anything is written. An ensemble is a folder of members (`members/0`, …, each a
/// complete export of one trial) with `ensemble.json` saying how outputs combine.
enum ExportCommand {
    static let subcommand = Subcommand(
        name: "export",
        summary: "write the selected model (or ensemble) as safetensors, sentence-transformers or ONNX",
        usage: "ftx export FILE [--trial ID|best|ensemble] [--stage NAME] [--store DIR] --format safetensors|sentence-transformers|onnx --out DIR [--force]",
        signature: CommandSignature(flags: ["--force"], options: ["--trial", "--stage", "--store", "--format", "--out"],
                                    minPositionals: 1, maxPositionals: 1),
        run: run)

    enum Format: String, CaseIterable {
        case safetensors
        case sentenceTransformers = "sentence-transformers"
        case onnx
    }

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        guard let formatName = args.option("--format") else {
            throw UsageError("`--format` is required: \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let format = Format(rawValue: formatName) else {
            var message = "unknown format `\(formatName)`; the formats are \(Format.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))"
            if let guess = closestName(to: formatName, among: Format.allCases.map(\.rawValue)) { message += "; did you mean `\(guess)`?" }
            throw UsageError(message)
        }
        guard let out = args.option("--out") else { throw UsageError("`--out DIR` is required: the folder to write") }
        let file = args.positionals[0]
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(file, storeOption: args.option("--store"), createStore: false, console: console, json: false)
        } catch let failure as CommandFailure {
            return failure.status
        }
        do {
            let choice = try ModelChoice.resolve(loaded, trial: args.option("--trial"), stage: args.option("--stage"))
            let models = try choice.predictor().exportable()
            // Refuse before writing anything.
            for model in models {
                if format == .sentenceTransformers, let reason = SentenceTransformersExport.unsupported(model) {
                    throw ModelChoice.Failure("cannot export \(choice.title) as sentence-transformers: \(reason)")
                }
            }
            let readme = ExportReadme(experiment: loaded.plan.graph.experiment, file: file, format: format.rawValue, choice: choice,
                                      model: models[0], store: loaded.store).text
            try ExportFolder.write(to: out, replace: args.has("--force")) { folder in
                if choice.isEnsemble {
                    var paths: [String] = []
                    for (i, model) in models.enumerated() {
                        let path = "members/\(i)"
                        let member = (folder as NSString).appendingPathComponent(path)
                        try FileManager.default.createDirectory(atPath: member, withIntermediateDirectories: true)
                        try write(model, format: format, into: member)
                        paths.append(path)
                    }
                    try ExportFolder.writeFile(EnsembleFile.encode(members: paths, trials: choice.members.map(\.trial.id),
                                                                   output: models[0].target.outputTransform),
                                               EnsembleFile.name, in: folder)
                } else {
                    try write(models[0], format: format, into: folder)
                }
                try ExportFolder.writeFile(readme, "README.md", in: folder)
            }
            console.err("exported \(choice.title) as \(format.rawValue) → \(out)\n")
            return ExitCode.success
        } catch {
            console.err("ftx export: error: \(error)\n")
            return ExitCode.failure
        }
    }

    static func write(_ model: ExportableModel, format: Format, into folder: String) throws {
        switch format {
        case .safetensors: try SafetensorsExport.write(model, into: folder)
        case .sentenceTransformers: try SentenceTransformersExport.write(model, into: folder)
        case .onnx: try exportONNX(model, into: folder)
        }
    }

    /// The ONNX writer's one call site (`ONNXExport`).
    static func exportONNX(_ model: ExportableModel, into folder: String) throws {
        try ONNXExport.write(model, into: folder)
    }
}
