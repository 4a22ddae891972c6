import Foundation

/// `--format onnx`: the one call site of the ONNX writer (`Export/ONNX/`), kept apart so the
/// writer is wired in without touching the other formats. It takes the model as every
/// format does — `ExportableModel`: `architecture` (`.mlp(input:layers:)` or
/// `.bert(config:pooling:maxLength:layers:)`), every parameter by PyTorch / Hugging Face name
/// (`weights`: name → shape and row-major Float32 values), preprocessing and labels — and is
/// to write `model.onnx` (inputs `features` (N, input) float32, or `input_ids` + `attention_mask`
/// (N, T) int64; dynamic N and T; output `logits`) and `ftx-model.json` with no weights files
/// (`ExportedModelFile.encode(model, weights: [])`: the preprocessing and labels for readers;
/// `ftx predict --model` says it cannot run such a folder).
public enum ONNXExport {
    /// Writes `model` into `folder` (which exists).
    public static func write(_ model: ExportableModel, into folder: String) throws {
        // The ONNX writer goes here: encode `model` to `folder/model.onnx`, then
        // try ExportFolder.writeFile(ExportedModelFile.encode(model, weights: []), ExportedModelFile.name, in: folder)
        throw ExportFolder.Failure("--format onnx is not yet available in this build; use --format safetensors")
    }
}
