import Foundation
import Support

/// What one unit of each kind of work costs on this machine, in seconds: the prices
/// `CostModel` charges a task's `CostWork` at. `ftx bench calibrate` measures them
/// (`BenchCalibration` in the CLI) and stores them in `calibration.json` beside the
/// `gflops` figure `ftx bench gemm` records; a file with only `gflops` (written before
/// the cost model had other prices) keeps the default of every other price, and with
/// no file at all every price is its default.
///
/// The defaults are conservative round figures, not a measurement (the GEMM rate is the
/// planner's old default of 20 GFLOP/s; the others were set from a calibration taken while
/// other work shared the cores): an uncalibrated machine gets estimates of the right order,
/// and `ftx plan` says "defaults (not calibrated)".
public struct CostCalibration: Sendable, Hashable {
    /// GEMM throughput of products large enough to use every core (m·n·k ≥ `CostWork.threadedProduct`),
    /// in GFLOP/s: `ftx bench gemm`'s n = 256 median (the field older files hold).
    public var gflops: Double
    /// The same at n = 1024, where packing and synchronisation weigh less per operation:
    /// the rate of an encoder's big projections (`CostWork.bigFlops`).
    public var gflops1024: Double
    /// GEMM throughput of smaller products, which run on one core (the direct path), in GFLOP/s.
    public var smallGFLOPS: Double
    /// Fixed cost of one GEMM call (dispatch, packing set-up, thread wake-up): what keeps a
    /// 32×64×10 product far below either rate.
    public var gemmCallSeconds: Double
    /// Cost per op(B) element a small product packs, and per C element it loads and stores
    /// (`CostWork.smallPacked`, `.smallOutputs`).
    public var gemmPackSeconds = 3.0e-10
    public var gemmOutputSeconds = 3.0e-10
    /// Fixed cost of one operation of the step (an autograd node's forward and backward, a
    /// kernel launch of the encoder): the per-layer overhead that dominates tiny models.
    public var opSeconds: Double
    /// Cost per element of an elementwise or row-wise pass (bias, activation, dropout,
    /// softmax, layer norm, loss), counted as `CostWork.elements` counts them.
    public var elementSeconds: Double
    /// The rate of a BERT encoder layer's six projections with the elementwise passes around
    /// them, in GFLOP/s of the projections: measured on a real layer at hidden 384 (MiniLM)
    /// and 768 (BERT-base). Bigger products run nearer the peak, and the passes weigh less
    /// against them, so the wider rate is higher.
    public var encoderGFLOPS = 20.0
    public var wideEncoderGFLOPS = 20.0
    /// Cost of one optimizer update of one parameter (AdamW: moments, bias correction, decay).
    public var parameterUpdateSeconds: Double
    /// Cost per byte of parsing a CSV or JSON Lines data file …
    public var parseByteSeconds: Double
    /// … and per field (a number conversion or a string), so that a file of long decimals
    /// and one of one-digit labels are both priced right.
    public var parseFieldSeconds: Double
    /// … and per byte of a file with a text column, besides the above.
    public var parseTextByteSeconds = 2.0e-8
    /// Cost per byte of text of WordPiece tokenization (normalising, splitting, vocabulary look-ups).
    public var tokenizeByteSeconds: Double
    /// Cost per byte written to the store (checkpoints, sealed weights, features).
    public var writeByteSeconds: Double
    /// Cost per byte of weights read (a pretrained folder, an upstream or final checkpoint).
    public var readByteSeconds: Double
    /// Fixed cost of one task in the store: lease, entry, `spec.json`, status, seal with its manifest.
    public var taskSeconds: Double
    /// What a train, an eval and a data task cost besides their counted work and the store's
    /// `taskSeconds`, per epoch and per optimizer step besides the model's operations: the
    /// executor's and trainer's own fixed costs, measured by running a tiny experiment.
    public var trainTaskSeconds = 0.0
    public var evalTaskSeconds = 0.0
    public var dataTaskSeconds = 0.0
    public var epochSeconds = 0.0
    public var stepSeconds = 0.0
    /// How the figures were obtained (shown by `ftx plan`).
    public var measured: String

    /// The reference machine's prices (see the type's documentation).
    public static let defaults: CostCalibration = {
        var c = CostCalibration(
            gflops: 20, gflops1024: 20, smallGFLOPS: 40, gemmCallSeconds: 1.0e-6, opSeconds: 2.0e-6, elementSeconds: 1.0e-9,
            parameterUpdateSeconds: 1.0e-9, parseByteSeconds: 1.0e-8, parseFieldSeconds: 3.0e-8, tokenizeByteSeconds: 2.0e-8,
            writeByteSeconds: 1.0e-9, readByteSeconds: 1.0e-9, taskSeconds: 2.0e-3, measured: "defaults (not calibrated)")
        c.trainTaskSeconds = 5.0e-3
        c.evalTaskSeconds = 2.0e-3
        c.dataTaskSeconds = 3.0e-3
        c.epochSeconds = 3.0e-4
        c.stepSeconds = 5.0e-6
        return c
    }()

    public init(gflops: Double, gflops1024: Double, smallGFLOPS: Double, gemmCallSeconds: Double, opSeconds: Double,
                elementSeconds: Double, parameterUpdateSeconds: Double, parseByteSeconds: Double, parseFieldSeconds: Double,
                tokenizeByteSeconds: Double, writeByteSeconds: Double, readByteSeconds: Double, taskSeconds: Double,
                measured: String) {
        self.gflops = gflops
        self.gflops1024 = gflops1024
        self.smallGFLOPS = smallGFLOPS
        self.gemmCallSeconds = gemmCallSeconds
        self.opSeconds = opSeconds
        self.elementSeconds = elementSeconds
        self.parameterUpdateSeconds = parameterUpdateSeconds
        self.parseByteSeconds = parseByteSeconds
        self.parseFieldSeconds = parseFieldSeconds
        self.tokenizeByteSeconds = tokenizeByteSeconds
        self.writeByteSeconds = writeByteSeconds
        self.readByteSeconds = readByteSeconds
        self.taskSeconds = taskSeconds
        self.measured = measured
    }

    /// The defaults with a measured large-GEMM rate (what callers that only know `gflops` price with).
    public static func defaults(gflops: Double) -> CostCalibration {
        var c = defaults
        c.gflops = gflops
        c.gflops1024 = gflops
        c.encoderGFLOPS = gflops
        c.wideEncoderGFLOPS = gflops
        return c
    }

    /// The JSON member names of the prices in `calibration.json`, with their key paths.
    static var fields: [(name: String, path: WritableKeyPath<CostCalibration, Double>)] { [
        ("gflops", \.gflops), ("gflops_1024", \.gflops1024), ("small_gflops", \.smallGFLOPS), ("gemm_call_seconds", \.gemmCallSeconds),
        ("gemm_pack_seconds", \.gemmPackSeconds), ("gemm_output_seconds", \.gemmOutputSeconds),
        ("encoder_gflops", \.encoderGFLOPS), ("wide_encoder_gflops", \.wideEncoderGFLOPS), ("op_seconds", \.opSeconds), ("element_seconds", \.elementSeconds),
        ("parameter_update_seconds", \.parameterUpdateSeconds), ("parse_byte_seconds", \.parseByteSeconds),
        ("parse_field_seconds", \.parseFieldSeconds), ("parse_text_byte_seconds", \.parseTextByteSeconds),
        ("tokenize_byte_seconds", \.tokenizeByteSeconds), ("write_byte_seconds", \.writeByteSeconds),
        ("read_byte_seconds", \.readByteSeconds), ("task_seconds", \.taskSeconds),
        ("train_task_seconds", \.trainTaskSeconds), ("eval_task_seconds", \.evalTaskSeconds),
        ("data_task_seconds", \.dataTaskSeconds), ("epoch_seconds", \.epochSeconds), ("step_seconds", \.stepSeconds),
    ] }

    /// Reads `calibration.json`'s object: every price present, positive and finite is taken,
    /// every other keeps its default (an old file holds only `gflops` and `measured`).
    public init(json: JSONValue) {
        self = Self.defaults
        var any = false
        for field in Self.fields {
            if let v = json[field.name]?.doubleValue, v.isFinite, v > 0 {
                self[keyPath: field.path] = v
                any = true
            }
        }
        // A file from before the n = 1024 rate was measured: big products at the only rate it has.
        if json["gflops_1024"]?.doubleValue == nil { gflops1024 = gflops }
        if json["encoder_gflops"]?.doubleValue == nil { encoderGFLOPS = gflops }
        if json["wide_encoder_gflops"]?.doubleValue == nil { wideEncoderGFLOPS = gflops }
        if let m = json["measured"]?.stringValue {
            measured = m
        } else if any {
            measured = "calibration.json"
        }
    }

    /// The object `calibration.json` holds: every price, then `measured`.
    public var json: JSONValue {
        .object(Self.fields.map { (key: $0.name, value: JSONValue.double(self[keyPath: $0.path])) }
                + [(key: "measured", value: .string(measured))])
    }

    /// Seconds of `work` at these prices.
    public func seconds(_ work: CostWork) -> Double {
        work.gemmCalls * gemmCallSeconds
            + work.smallFlops / (max(smallGFLOPS, 1e-9) * 1e9)
            + work.smallPacked * gemmPackSeconds
            + work.smallOutputs * gemmOutputSeconds
            + work.largeFlops / (max(gflops, 1e-9) * 1e9)
            + work.bigFlops / (max(gflops1024, 1e-9) * 1e9)
            + work.encoderFlops / (max(encoderGFLOPS, 1e-9) * 1e9)
            + work.wideEncoderFlops / (max(wideEncoderGFLOPS, 1e-9) * 1e9)
            + work.ops * opSeconds
            + work.elements * elementSeconds
            + work.parameterUpdates * parameterUpdateSeconds
            + work.parsedBytes * parseByteSeconds
            + work.parsedFields * parseFieldSeconds
            + work.parsedTextBytes * parseTextByteSeconds
            + work.tokenizedBytes * tokenizeByteSeconds
            + work.writtenBytes * writeByteSeconds
            + work.readBytes * readByteSeconds
            + work.tasks * taskSeconds
            + work.trainTasks * trainTaskSeconds
            + work.evalTasks * evalTaskSeconds
            + work.dataTasks * dataTaskSeconds
            + work.epochs * epochSeconds
            + work.steps * stepSeconds
    }
}
