import Foundation

/// The libFuzzer entry points of `ftx-fuzz` (built by scripts/fuzz; libFuzzer supplies `main`).
/// Every target lives in this one binary so CI compiles once; `FTX_FUZZ_TARGET` picks
/// the one to run. A target returns normally for every input, whatever it holds:
/// an error thrown by the code under test is the expected answer to bad input, and
/// only a crash (trap, sanitizer report), a hang (libFuzzer's `-timeout`) or a
/// broken property (`FuzzCheck.require`, which traps) is a finding.
enum FuzzTargets {
    static let all: [String: (Data) -> Void] = [
        "language": LanguageTarget.run,
        "safetensors": SafetensorsTarget.run,
        "csv": CSVTarget.run,
        "json": JSONTarget.run,
        "wordpiece": WordPieceTarget.run,
        "bert-config": BertConfigTarget.run,
        "store-files": StoreFilesTarget.run,
    ]

    /// The target named by `FTX_FUZZ_TARGET`, resolved once.
    nonisolated(unsafe) static var selected: ((Data) -> Void)?
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["FTX_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("ftx-fuzz: set FTX_FUZZ_TARGET to one of: \(names) (got '\(name)')\n".utf8))
        exit(2)
    }
    FuzzTargets.selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    FuzzTargets.selected?(bytes)
    return 0
}
