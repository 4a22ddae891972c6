import Foundation

/// `--format onnx`: the one call site of the ONNX writer (`Export/ONNX/`), kept apart so the
/// writer can be wired in without touching the other formats. It takes the model as every
/// format does — `ExportableModel`: its architecture, all parameters by PyTorch name
/// (`weights`), preprocessing and labels — and writes `model.onnx` (inputs `features`, or
/// `input_ids` + `attention_mask`, dynamic batch and sequence axes; output `logits`) and
/// `ftx-model.json` into `folder`.
public enum ONNXExport {
    /// Writes `model` into `folder` (which exists).
    public static func write(_ model: ExportableModel, into folder: String) throws {
        throw ExportFolder.Failure("--format onnx is not yet available in this build; use --format safetensors")
    }
}
