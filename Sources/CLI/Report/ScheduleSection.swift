import Charts
import Foundation
import Plan
import Runtime

/// The learning rate of every optimizer step each trial took, recomputed from the
/// trial's spec by the trainer's own scheduler (`LRScheduleTrace`) and checked
/// against the lr its history recorded at each epoch's end.
enum ScheduleSection {
    static func html(_ m: ReportModel) -> String {
        var s = ""
        for stage in m.stages {
            s += "<h3>Stage <code>\(Markup.escape(stage.name))</code></h3>"
            var series: [LineChart.Series] = []
            var mismatched: [String] = []
            for t in stage.trials {
                guard let spec = t.spec, let trace = LRScheduleTrace(spec: spec, history: t.records) else { continue }
                if !agrees(trace, t.records) { mismatched.append(t.short) }
                let highlighted = LearningCurveSection.highlighted(t, stage)
                series.append(LineChart.Series(points: trace.learningRates.enumerated().map { (Double($0.offset), $0.element) },
                                               hover: t.hover + " · \(trace.stepsPerEpoch) steps per epoch",
                                               colour: t.colour, highlighted: highlighted,
                                               attributes: [("data-schedule-trial", t.id)],
                                               endLabel: highlighted ? t.short : nil))
            }
            guard !series.isEmpty else {
                s += ReportPage.missing("No trial of this stage has finished an epoch yet, so its steps per epoch are unknown: run `ftx run \(m.file)`.")
                continue
            }
            var chart = LineChart(title: "\(stage.name): learning rate per optimizer step", xLabel: "optimizer step",
                                  yLabel: "learning rate", series: series)
            chart.attributes = [("data-chart", "schedule"), ("data-stage", stage.name)]
            chart.xIntegers = true
            s += "<figure>" + chart.svg() + "<figcaption>" + Markup.escape(caption(stage)) + "</figcaption></figure>"
            if !mismatched.isEmpty {
                s += ReportPage.missing("The recomputed schedule of \(mismatched.joined(separator: ", ")) differs from the lr its history recorded; the store may come from another ftx version.")
            }
        }
        return s
    }

    /// Whether the trace gives the lr each history record holds for its epoch's last step.
    static func agrees(_ trace: LRScheduleTrace, _ records: [EpochRecord]) -> Bool {
        records.allSatisfy { r in
            let i = r.step - 1
            guard i >= 0, i < trace.learningRates.count, r.lr.isFinite else { return true }
            return abs(trace.learningRates[i] - r.lr) <= 1e-12 * max(1, abs(r.lr))
        }
    }

    private static func caption(_ stage: ReportModel.StageView) -> String {
        var text = "The lr of the optimizer's base rate at each step, as the trainer computes it from the trial's schedule; a line ends where its trial stopped."
        if let spec = stage.trials.first?.spec, !spec.parameterGroups.isEmpty || spec.optimizer.layerLRDecay != 1 {
            text += " Parameter groups and layer-wise decay scale it per group."
        }
        return text
    }
}
