/// The CSS every chart's classes refer to: a colour-blind-safe palette (Okabe & Ito)
/// as custom properties, lighter variants under `prefers-color-scheme: dark`, and
/// print rules (black text, no background, lines kept). A page embeds it once.
public enum ChartStyle {
    /// How many distinct series colours there are (`c0`…`c7`); series beyond reuse them.
    public static let paletteSize = 8

    static let light = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5c2e", "#666666"]
    static let dark = ["#58b6f0", "#ff8a4c", "#3fd6a4", "#eaa2cf", "#f2c14e", "#a5d8f7", "#d0ad75", "#b8b8b8"]

    /// The style sheet, to embed once in a page's `<style>`.
    public static var css: String {
        var s = ":root{"
        for (i, c) in light.enumerated() { s += "--c\(i):\(c);" }
        s += "--q0:#c6dbef;--q1:#9ecae1;--q2:#6baed6;--q3:#3182bd;--q4:#08519c;}\n"
        s += "@media (prefers-color-scheme: dark){:root{"
        for (i, c) in dark.enumerated() { s += "--c\(i):\(c);" }
        s += "--q0:#24415e;--q1:#2f5f8a;--q2:#3f83bd;--q3:#6db0e6;--q4:#b3dcff;}}\n"
        for i in 0..<paletteSize {
            s += ".c\(i){stroke:var(--c\(i))}.f\(i){fill:var(--c\(i))}.t\(i){fill:var(--c\(i))}.sw\(i){background:var(--c\(i))}\n"
        }
        for i in 0..<5 { s += ".q\(i){stroke:var(--q\(i))}" }
        s += """

        .chart{max-width:100%;height:auto;display:block;overflow:visible;font:11px system-ui,sans-serif}
        .chart text{fill:var(--fg)}
        .chart .grid{stroke:var(--rule);stroke-width:1}
        .chart .axis,.chart .tickmark{stroke:var(--muted);stroke-width:1}
        .chart .tick{fill:var(--muted)}
        .chart .axislabel{paint-order:stroke;stroke:var(--bg);stroke-width:3px;stroke-linejoin:round}
        .chart .label{font-weight:600}
        .chart .curve{fill:none;stroke-width:1.3;opacity:.55;stroke-linejoin:round;stroke-linecap:round}
        .chart .curve.dot{stroke-width:5}
        .chart .curve.sel{stroke-width:2.8;opacity:1}
        .chart .curve.dashed{stroke-dasharray:4 3}
        .chart .curve:hover,.chart .pcline:hover{stroke-width:3.2;opacity:1}
        .chart .band{opacity:.18;stroke:none}
        .chart .endlabel{font-weight:600}
        .chart .mark{stroke:var(--accent);fill:var(--accent);fill-opacity:.75;stroke-width:1.5}
        .chart .mark.hollow{fill:none}
        .chart .mark.cross{fill:none;stroke:var(--bad)}
        .chart .mark.sel{stroke:var(--fg);stroke-width:2.5;fill-opacity:1}
        .chart .pcline{fill:none;stroke-width:1.4;opacity:.8}
        .chart .pcline.sel{stroke:var(--fg);stroke-width:3;opacity:1}
        .chart .cell{fill:var(--accent)}
        .chart .count{font-size:12px}
        .chart .count.strong{fill:var(--bg);font-weight:600}
        .chart .edge{fill:none;stroke:var(--muted);stroke-width:1}
        .chart .arrow{fill:var(--muted)}
        .chart .node{fill:var(--bg);stroke:var(--muted);stroke-width:1.2}
        .chart .node.done{stroke:var(--good);stroke-width:2}
        .chart .node.pruned,.chart .node.diverged{stroke:var(--warn);stroke-width:2}
        .chart .node.failed{stroke:var(--bad);stroke-width:2}
        .chart .node.pending,.chart .node.running{stroke-dasharray:4 3}
        .chart .nodelabel{font-weight:600}
        .chart .nodedetail{fill:var(--muted)}
        @media print{.chart .curve{opacity:.8}.chart .band{opacity:.25}}

        """
        return s
    }
}
