import Charts
import Foundation

/// The HTML page around the report's sections: one self-contained file (styles and
/// a few lines of script inline, no fonts, images or scripts from anywhere). Its
/// Content-Security-Policy forbids every fetch, so a report opened from disk or an
/// e-mail attachment cannot load anything, and an attempt shows as a console error.
enum ReportPage {
    /// A section: its anchor, heading and HTML body.
    struct Section {
        var id: String
        var title: String
        var body: String
    }

    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

    static func html(title: String, subtitle: String, sections: [Section]) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        s += "<meta name=\"color-scheme\" content=\"light dark\">\n"
        s += "<title>\(Markup.escape(title))</title>\n<style>\n\(pageCSS)\(ChartStyle.css)</style>\n</head>\n<body>\n"
        s += "<header><h1>\(Markup.escape(title))</h1><p class=\"muted\">\(Markup.escape(subtitle))</p>\n<nav>"
        s += sections.map { "<a href=\"#\($0.id)\">\(Markup.escape($0.title))</a>" }.joined(separator: " · ")
        s += "</nav></header>\n<main>\n"
        for section in sections {
            s += "<section id=\"\(section.id)\">\n<h2>\(Markup.escape(section.title))</h2>\n\(section.body)\n</section>\n"
        }
        s += "</main>\n<script>\n\(script)</script>\n</body>\n</html>\n"
        return s
    }

    /// A paragraph saying what is missing and how to get it.
    static func missing(_ text: String) -> String { "<p class=\"missing\">\(Markup.escape(text))</p>" }

    static let pageCSS = """
    :root{color-scheme:light dark;--bg:#ffffff;--fg:#1d1d1f;--muted:#5f6368;--rule:#e3e5e8;--accent:#0b63b6;--good:#1a7f37;--warn:#b35900;--bad:#c62828;--panel:#f6f8fa}
    @media (prefers-color-scheme: dark){:root{--bg:#16181c;--fg:#e8eaed;--muted:#a0a6ad;--rule:#2e3238;--accent:#6cb4ff;--good:#4ccf73;--warn:#f0a050;--bad:#ff6b6b;--panel:#1f2328}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
    header,main{max-width:1120px;margin:0 auto;padding:0 20px}
    header{padding-top:18px;border-bottom:1px solid var(--rule)}
    h1{font-size:22px;margin:0 0 2px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--rule);padding-bottom:4px}
    h3{font-size:15px;margin:18px 0 6px}
    nav{margin:8px 0 12px}nav a{color:var(--accent);text-decoration:none}
    .muted{color:var(--muted)}.missing{color:var(--warn);font-style:italic}
    .charts{display:flex;flex-wrap:wrap;gap:14px 22px;align-items:flex-start}
    figure{margin:0}figcaption{font-size:12px;color:var(--muted);max-width:640px}
    table{border-collapse:collapse;font-size:12.5px;margin:6px 0 10px}
    th,td{padding:3px 8px;border-bottom:1px solid var(--rule);text-align:left;white-space:nowrap}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    table.sortable th{cursor:pointer;user-select:none}table.sortable th:hover{color:var(--accent)}
    .scroll{overflow-x:auto;max-width:100%}
    tr.sel td{font-weight:600;background:var(--panel)}
    .status-pruned,.status-diverged{color:var(--warn)}.status-failed{color:var(--bad)}.status-pending,.status-running{color:var(--muted)}
    .up{color:var(--good)}.down{color:var(--bad)}
    .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:4px 0 8px;max-width:1080px}
    .legend span.sw{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
    .legend .sel{font-weight:600}
    dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:6px 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
    pre{background:var(--panel);padding:8px 10px;overflow-x:auto;font-size:12px}
    code{font-family:ui-monospace,"SF Mono",Menlo,Consolas,monospace;font-size:12px}
    @media print{:root{--bg:#fff;--fg:#000;--muted:#444;--rule:#ccc;--panel:#f2f2f2}nav{display:none}section{break-inside:avoid-page}figure{break-inside:avoid}.scroll{overflow:visible}}

    """

    /// Sortable tables (click a header; numbers sort as numbers), and a record of any script
    /// error on the page element (`data-errors`) beside `data-ready`, which a browser test reads.
    static let script = """
    (function(){
    var root=document.documentElement;
    window.addEventListener('error',function(e){root.setAttribute('data-errors',(root.getAttribute('data-errors')||'')+e.message+';');});
    function key(cell){var v=cell.getAttribute('data-sort');if(v===null){v=cell.textContent;}var n=parseFloat(v);return isNaN(n)?v.toLowerCase():n;}
    var tables=document.querySelectorAll('table.sortable');
    for(var t=0;t<tables.length;t++){(function(table){
      var heads=table.querySelectorAll('thead th');
      for(var i=0;i<heads.length;i++){(function(th,col){
        th.addEventListener('click',function(){
          var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
          var dir=th.getAttribute('data-dir')==='asc'?-1:1;th.setAttribute('data-dir',dir===1?'asc':'desc');
          rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
            if(typeof x!==typeof y){return typeof x==='number'?-1:1;}return x<y?-dir:(x>y?dir:0);});
          for(var r=0;r<rows.length;r++){body.appendChild(rows[r]);}
        });
      })(heads[i],i);}
    })(tables[t]);}
    root.setAttribute('data-ready','1');
    })();

    """
}
