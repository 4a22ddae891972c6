// CSV parse throughput of Support's `CSVRecords` (issue 18 item 3: target ≥ 100 MB/s).
// Build: swiftc -O -o /tmp/csvbench bench/csv-throughput/main.swift Sources/Support/CSVRecords.swift Sources/Support/DecimalParser.swift
// Run:   /tmp/csvbench FILE.csv   (10⁶ rows × 9 columns: python3 bench/csv-throughput/generate.py > /tmp/big.csv)
import Foundation
let path = CommandLine.arguments[1]
let data = try! Data(contentsOf: URL(fileURLWithPath: path))
var best = Double.infinity
var rows = 0
for _ in 0..<5 {
    var bytes = [UInt8](data)
    let t0 = DispatchTime.now().uptimeNanoseconds
    let r = try! bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
    let t1 = DispatchTime.now().uptimeNanoseconds
    rows = r.rowLines.count
    best = min(best, Double(t1 - t0) / 1e9)
}
var sum = 0.0
var bytes = [UInt8](data)
let r = try! bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
let t0 = DispatchTime.now().uptimeNanoseconds
bytes.withUnsafeBufferPointer { buf in
  for k in stride(from: 0, to: r.spans.count, by: 2) { sum += DecimalParser.parse(UnsafeBufferPointer(rebasing: buf[Int(r.spans[k])..<Int(r.spans[k+1])])) ?? 0 }
}
let t1 = DispatchTime.now().uptimeNanoseconds
let mb = Double(data.count) / 1e6
print("rows \(rows), \(mb) MB, parse best \(best) s = \(mb / best) MB/s; numbers \(Double(t1-t0)/1e9) s = \(mb / (Double(t1-t0)/1e9)) MB/s (sum \(sum))")
