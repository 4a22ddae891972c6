import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Every classification metric against scikit-learn (golden/classification_metrics.json,
/// written by classification_metrics.py beside it): binary with two softmax outputs and
/// with one sigmoid output, a class never predicted, a class absent from the split, ties
/// in scores within and across rows. Through the same functions the trainer and the eval
/// task call (`TrialEvaluation.classificationMetrics`, `TrialEvaluation.classification`).
final class ClassificationMetricsTests: XCTestCase {
    static let tolerance = 1e-12

    func testEveryMetricMatchesScikitLearn() throws {
        let golden = try JSONParser.parse(Data(contentsOf: Golden.directory.appendingPathComponent("classification_metrics.json")))
        let cases = try XCTUnwrap(golden["cases"]?.arrayValue)
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let name = try XCTUnwrap(c["name"]?.stringValue)
            let classes = try XCTUnwrap(c["classes"]?.intValue), width = try XCTUnwrap(c["width"]?.intValue)
            let labels = try XCTUnwrap(c["labels"]?.arrayValue).compactMap(\.intValue)
            let probabilities = try XCTUnwrap(c["probabilities"]?.arrayValue).compactMap { $0.doubleValue.map(Float.init) }
            let expected = try XCTUnwrap(c["expected"])
            let criterion: LossSpec.Criterion = width == 1 ? .bce : .crossEntropy(labelSmoothing: 0)
            var requested = ["accuracy", "precision", "recall", "f1", "precision_micro", "recall_micro", "f1_micro", "roc_auc", "confusion"]
            if classes == 2 { requested += ["precision_binary", "recall_binary", "f1_binary"] }

            let scalars = TrialEvaluation.classificationMetrics(labels: labels, probabilities: probabilities, width: width, criterion: criterion,
                                                                requested: requested, prefix: "valid")
            XCTAssertEqual(Set(scalars.map(\.key)), Set(requested.filter { $0 != "confusion" }.map { "valid." + $0 }), name)
            for (key, value) in scalars {
                let metric = String(key.dropFirst("valid.".count))
                let want = try XCTUnwrap(expected[metric], "\(name): \(metric) missing from the golden file")
                assertClose(value, want, "\(name) \(metric)")
            }

            let report = try XCTUnwrap(TrialEvaluation.classification(labels: labels, probabilities: probabilities, width: width, criterion: criterion,
                                                                       requested: requested, classNames: []))
            XCTAssertEqual(report["labels"], .array((0..<classes).map { .string(String($0)) }), name)
            XCTAssertEqual(report["confusion"], expected["confusion"], "\(name): confusion")
            let perClass = try XCTUnwrap(report["per_class"]), want = try XCTUnwrap(expected["per_class"])
            XCTAssertEqual(perClass["support"], want["support"], "\(name): support")
            for metric in ["precision", "recall", "f1", "roc_auc"] {
                let got = try XCTUnwrap(perClass[metric]?.arrayValue, "\(name) \(metric)")
                let ref = try XCTUnwrap(want[metric]?.arrayValue, "\(name) \(metric)")
                XCTAssertEqual(got.count, classes, "\(name) \(metric)")
                for (i, (g, r)) in zip(got, ref).enumerated() {
                    assertClose(try XCTUnwrap(g.doubleValue), r, "\(name) \(metric)[\(i)]")
                }
            }
        }
    }

    /// The golden file covers what the brief promises: a class never predicted and one absent
    /// from the split (macro averages over present classes; per-class zeros; AUC left out).
    func testGoldenCasesCoverTheEdgeCases() throws {
        let golden = try JSONParser.parse(Data(contentsOf: Golden.directory.appendingPathComponent("classification_metrics.json")))
        let cases = try XCTUnwrap(golden["cases"]?.arrayValue)
        let absent = try XCTUnwrap(cases.first { $0["name"]?.stringValue == "multiclass_class_absent_from_split" })
        XCTAssertEqual(absent["expected"]?["per_class"]?["support"]?.arrayValue?[3], .int(0))
        XCTAssertEqual(absent["expected"]?["per_class"]?["roc_auc"]?.arrayValue?[3], .null)
        let never = try XCTUnwrap(cases.first { $0["name"]?.stringValue == "multiclass_class_never_predicted" })
        XCTAssertEqual(never["expected"]?["confusion"]?.arrayValue?.compactMap { $0.arrayValue?[2] }, [.int(0), .int(0), .int(0)])
    }

    /// Ties count ½ (hand computation): positives score [0.5, 0.9], negatives [0.5, 0.1];
    /// pairs (0.5,0.5) ½, (0.5,0.1) 1, (0.9,·) 2 → 3.5 / 4.
    func testROCAUCTiesCountHalf() {
        XCTAssertEqual(ClassificationScores.rocAUC(scores: [0.5, 0.9, 0.5, 0.1], positives: [true, true, false, false]), 0.875)
        XCTAssertTrue(ClassificationScores.rocAUC(scores: [0.5, 0.9], positives: [true, true]).isNaN)
    }

    func assertClose(_ got: Double, _ want: JSONValue, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let w = want.doubleValue else {
            XCTAssertTrue(got.isNaN, "\(what): scikit-learn has no value (null), ftx gives \(got)", file: file, line: line)
            return
        }
        XCTAssertEqual(got, w, accuracy: Self.tolerance, what, file: file, line: line)
    }
}
