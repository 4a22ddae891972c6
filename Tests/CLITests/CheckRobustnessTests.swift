import Foundation
import XCTest

/// `ftx check` and `ftx fmt` never crash or hang: thousands of mutated versions
/// of the examples, mutated at the level the checker sees (lines, values,
/// names), each must exit 0 or 1 within a second. Byte-level mutations of the
/// parser alone are in DSLTests/RobustnessTests.
final class CheckRobustnessTests: XCTestCase {
    /// A seeded xorshift generator, so a failure is reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    /// Values that stress the checker: wrong types, out of range, degenerate, huge.
    static let hostileValues = [
        "0", "-1", "1e309", "-0", "1e-320", "99999999999999999999999", "0.5", "2.5", "[]", "[[]]", "{}", "\"\"",
        "\"../nope.csv\"", "true", "x", "valid.nope", "a.b.c.d", "choice()", "choice(1, 1)", "uniform(1, 0)",
        "loguniform(0, 1)", "int(5, 1)", "1 / 0", "0 / 0", "-(-(-1))", "best(nope)", "best(best(x))", "top(0, by: x)",
        "dense(0)", "dense(-3, activation: nope)", "dropout(1)", "csv()", "csv(1)", "adamw(lr: [1, 2])",
        "cosine(warmup: 5 epochs)", "step(every: 0 steps, gamma: 2)", "2 parsecs", "checkpoint(\"/dev/null\")",
        "digits where nope > 1", "digits where label", "[dense(1), dense(1), dropout(0.1)]", "{metric: x}",
        "cross_entropy() + mse() * l2()", "l2() * l2()", "bert(\"/nonexistent\")", "random(train: 1)",
    ]

    func mutations(of text: String, count: Int, rng: inout Generator) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [String] = []
        for _ in 0..<count {
            var m = lines
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // delete a line
                m.remove(at: Int.random(in: 0..<m.count, using: &rng))
            case 1:  // duplicate a line
                let i = Int.random(in: 0..<m.count, using: &rng)
                m.insert(m[i], at: i)
            case 2:  // swap two lines
                m.swapAt(Int.random(in: 0..<m.count, using: &rng), Int.random(in: 0..<m.count, using: &rng))
            case 3, 4:  // replace a value with a hostile one
                let candidates = m.indices.filter { m[$0].contains(" = ") }
                if let i = candidates.randomElement(using: &rng), let eq = m[i].range(of: " = ") {
                    m[i] = String(m[i][..<eq.upperBound]) + Self.hostileValues.randomElement(using: &rng)!
                }
            default:  // rename a word (a reference, key or call) to a near miss
                let i = Int.random(in: 0..<m.count, using: &rng)
                var words = m[i].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                if let j = words.indices.filter({ words[$0].count > 2 }).randomElement(using: &rng) {
                    words[j] = String(words[j].dropLast()) + "q"
                    m[i] = words.joined(separator: " ")
                }
            }
            out.append(m.joined(separator: "\n"))
        }
        return out
    }

    func testMutatedExamplesCheckAndFormatWithoutCrashOrHang() throws {
        let workspace = try Workspace()
        var rng = Generator(state: 0x5EED_F7C)
        let examples = Paths.ftxFiles(in: Paths.experiments).map(\.lastPathComponent)
        XCTAssertFalse(examples.isEmpty)
        var runs = 0, negatives = 0
        for name in examples {
            let text = try String(contentsOf: Paths.experiments.appendingPathComponent(name), encoding: .utf8)
            for (k, mutant) in mutations(of: text, count: 600, rng: &rng).enumerated() {
                let path = try workspace.write("m\(k % 7).ftx", mutant)
                for args in [["check", path], ["check", "--json", path], ["fmt", "--stdout", path]] where args != ["check", "--json", path] || k % 10 == 0 {
                    let start = Date()
                    let result = ftx(args)
                    let seconds = Date().timeIntervalSince(start)
                    XCTAssertTrue(result.status == 0 || result.status == 1,
                                  "\(args[0]) exited \(result.status) on a mutant of \(name):\n\(mutant)\n\(result.err)")
                    XCTAssertLessThan(seconds, 1.0, "\(args[0]) took \(seconds) s on a mutant of \(name):\n\(mutant)")
                    if args[0] == "check", result.status == 1 { negatives += 1 }
                    runs += 1
                }
            }
        }
        // The mutations must actually reach the checker's error paths, not only pass.
        XCTAssertGreaterThan(negatives, runs / 4)
    }
}
